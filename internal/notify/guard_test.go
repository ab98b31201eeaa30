package notify_test

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/notify"
)

// fakeResolver answers from a table; an unknown name does not resolve.
type fakeResolver map[string][]string

func (f fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	addrs, ok := f[strings.TrimSuffix(host, ".")]
	if !ok {
		return nil, errors.New("no such host")
	}
	var out []netip.Addr
	for _, a := range addrs {
		out = append(out, netip.MustParseAddr(a))
	}
	return out, nil
}

var resolver = fakeResolver{
	"hooks.example.org":  {"93.184.216.34"},
	"dual.example.org":   {"93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"},
	"inward.example.org": {"10.1.2.3"},
	"mixed.example.org":  {"93.184.216.34", "127.0.0.1"}, // every resolved address is checked
	"meta.example.org":   {"169.254.169.254"},
	"ula.example.org":    {"93.184.216.34", "fd12:3456::1"},
	"mapped.example.org": {"::ffff:192.168.1.1"},
	// The test's resolver lies about localhost, so that the save check passes and the dial check must catch it.
	"localhost": {"93.184.216.34"},
}

func TestParseHostReadsEverySpelling(t *testing.T) {
	for _, c := range []struct {
		host, want string
	}{
		{"127.0.0.1", "127.0.0.1"},
		{"2130706433", "127.0.0.1"},
		{"0177.0.0.1", "127.0.0.1"},
		{"0x7f.1", "127.0.0.1"},
		{"0x7f.0.0.1", "127.0.0.1"},
		{"0X7F000001", "127.0.0.1"},
		{"127.1", "127.0.0.1"},
		{"127.0.1", "127.0.0.1"},
		{"017700000001", "127.0.0.1"},
		{"10.1", "10.0.0.1"},
		{"169.254.43518", "169.254.169.254"},
		{"0", "0.0.0.0"},
		{"127.0.0.1.", "127.0.0.1"},
		{"::ffff:127.0.0.1", "::ffff:127.0.0.1"},
		{"[::1]", "::1"},
	} {
		ip, isAddr, err := notify.ParseHost(c.host)
		if err != nil || !isAddr || ip.String() != c.want {
			t.Errorf("%s: got %v %v %v, want %s", c.host, ip, isAddr, err, c.want)
		}
	}
	for _, name := range []string{"example.org", "hooks.example.org", "1password.com", "0x.example"} {
		if _, isAddr, err := notify.ParseHost(name); isAddr || err != nil {
			t.Errorf("%s read as an address (%v)", name, err)
		}
	}
	for _, bad := range []string{"256.0.0.1", "1.2.3.4.5", "08.0.0.1", "4294967296", "example.123", "1.2.3.256"} {
		if _, isAddr, err := notify.ParseHost(bad); !isAddr || err == nil {
			t.Errorf("%s: a numeric host that is no address was not refused", bad)
		}
	}
}

// TestTheGuardRefusesInwardURLsAtSave: every spelling of every inward address,
// and names that resolve inward, answer 422 naming url.
func TestTheGuardRefusesInwardURLsAtSave(t *testing.T) {
	g := &notify.Guard{Resolver: resolver}
	refused := []string{
		// loopback, in every spelling
		"http://127.0.0.1/hook", "http://127.0.0.1:8080/hook", "https://127.8.9.10/", "http://2130706433/",
		"http://0177.0.0.1/", "http://0x7f.1/", "http://0x7f000001/", "http://127.1/", "http://017700000001/",
		"http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/", "http://[0:0:0:0:0:ffff:127.0.0.1]/",
		"http://[::127.0.0.1]/", "http://127.0.0.1./",
		// private, shared and link-local
		"http://10.0.0.1/", "http://10.1/", "http://172.16.0.1/", "http://172.31.255.255/", "http://192.168.1.1/",
		"http://0xc0a80101/", "http://3232235777/", "http://[fc00::1]/", "http://[fd12:3456::1]/", "http://100.64.0.1/",
		"http://100.127.255.254/", "http://169.254.1.1/", "http://[fe80::1]/", "http://[fe80::1%25eth0]/",
		// unspecified, broadcast, multicast, reserved
		"http://0.0.0.0/", "http://0/", "http://[::]/", "http://255.255.255.255/", "http://224.0.0.1/", "http://[ff02::1]/",
		"http://240.0.0.1/",
		// metadata
		"http://169.254.169.254/latest/meta-data/", "http://169.254.43518/", "http://0xa9fea9fe/", "http://2852039166/",
		"http://[fd00:ec2::254]/", "http://[::ffff:169.254.169.254]/", "http://100.100.100.200/",
		// IPv4 inside IPv6 translation prefixes
		"http://[64:ff9b::7f00:1]/", "http://[2002:7f00:1::]/",
		// names that resolve inward, in whole or in part, and names that do not resolve
		"https://inward.example.org/", "https://mixed.example.org/", "https://meta.example.org/", "https://ula.example.org/",
		"https://mapped.example.org/", "https://nowhere.example.org/",
		// the form: scheme, credentials, host
		"ftp://hooks.example.org/", "file:///etc/passwd", "gopher://hooks.example.org/", "https://user:pass@hooks.example.org/",
		"https://user@hooks.example.org/", "https:///path", "hooks.example.org/hook", "https://hooks.example.org:99999/",
		"https://exa\u0301mple.org/", "http://1.2.3.4.5/", "http://256.1.1.1/", "http://example.123/",
		// a public address in an odd spelling: resolvers disagree on what it means
		"http://1572395042/",
	}
	for _, u := range refused {
		err := g.CheckURL(context.Background(), u)
		if docket.ErrorCode(err) != docket.EUnprocessable || docket.AsError(err).Field != "url" {
			t.Errorf("%s: want a 422 naming url, got %v", u, err)
		}
	}
	for _, u := range []string{"https://hooks.example.org/docket?x=1", "http://hooks.example.org:8080/", "https://dual.example.org/",
		"https://93.184.216.34/hook", "https://[2606:2800:220:1:248:1893:25c8:1946]/", "https://localhost/"} {
		if err := g.CheckURL(context.Background(), u); err != nil {
			t.Errorf("%s: refused: %v", u, err)
		}
	}
	// With private targets allowed, inward addresses pass; the form is still checked.
	open := &notify.Guard{AllowPrivate: true, Resolver: resolver}
	for _, u := range []string{"http://127.0.0.1:9/", "http://10.0.0.1/", "https://inward.example.org/"} {
		if err := open.CheckURL(context.Background(), u); err != nil {
			t.Errorf("allowed: %s refused: %v", u, err)
		}
	}
	for _, u := range []string{"ftp://127.0.0.1/", "https://a:b@127.0.0.1/"} {
		if err := open.CheckURL(context.Background(), u); err == nil {
			t.Errorf("allowed: %s accepted", u)
		}
	}
}

// TestTheGuardRefusesInwardAddressesAtDial: the dialer's Control sees the
// resolved address and refuses the inward ones, mapped IPv6 included.
func TestTheGuardRefusesInwardAddressesAtDial(t *testing.T) {
	g := notify.NewGuard(false)
	for _, addr := range []string{"127.0.0.1:80", "[::1]:443", "[::ffff:127.0.0.1]:80", "10.0.0.1:80", "172.16.5.4:443",
		"192.168.0.10:80", "169.254.169.254:80", "[fd00:ec2::254]:80", "100.64.1.1:80", "0.0.0.0:80", "[::]:80",
		"[fe80::1]:80", "224.0.0.1:80", "255.255.255.255:80", "[::ffff:10.0.0.1]:80"} {
		err := g.Control("tcp", addr, nil)
		if !errors.Is(err, notify.ErrRefusedAddress) {
			t.Errorf("%s: dialled (%v)", addr, err)
		}
	}
	if err := g.Control("tcp4", "93.184.216.34:443", nil); err != nil {
		t.Errorf("a public address refused: %v", err)
	}
	if err := g.Control("udp", "93.184.216.34:53", nil); err == nil {
		t.Error("a UDP dial was allowed")
	}
	if err := notify.NewGuard(true).Control("tcp", "127.0.0.1:80", nil); err != nil {
		t.Errorf("allow_private_targets: %v", err)
	}
}

// TestTheGuardTakesTheLibrarysRanges: ranges the hand-kept table lacked come
// with the library (AS112, the 2023 IPv6 documentation prefix), IPv6 outside
// global unicast is refused whatever it embeds (NAT64 and 6to4 of a public
// address too), and a mapped public IPv4 address is still judged as IPv4.
func TestTheGuardTakesTheLibrarysRanges(t *testing.T) {
	for _, a := range []string{"192.31.196.1", "192.175.48.1", "3fff::1", "64:ff9b::5db8:d822", "2002:5db8:d822::1",
		"fd00:ec2::254", "100.100.100.200", "169.254.169.254"} {
		if notify.Classify(netip.MustParseAddr(a)) == "" {
			t.Errorf("%s may be reached", a)
		}
	}
	for _, a := range []string{"93.184.216.34", "::ffff:93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"} {
		if why := notify.Classify(netip.MustParseAddr(a)); why != "" {
			t.Errorf("%s refused: %s", a, why)
		}
	}
	if why := notify.Classify(netip.MustParseAddr("::ffff:127.0.0.1")); why != "a loopback address" {
		t.Errorf("mapped loopback: %q", why)
	}
}
