package notify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"code.dny.dev/ssrf"

	"github.com/docket/docket/internal/docket"
)

// Resolver looks up the addresses of a host name; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Guard keeps webhooks from reaching inward: loopback, private, link-local,
// unspecified, shared (CGNAT), multicast, broadcast, reserved and cloud
// metadata addresses, however they are spelled. It checks a URL when it is
// saved (CheckURL, resolving the host and checking every address) and again
// when it is dialled (Control, on the address actually connected to), so that
// a name that changes its answer in between (DNS rebinding) is still refused.
// The ranges are code.dny.dev/ssrf's (see Classify); the spellings are read
// here (ParseHost).
// AllowPrivate turns the address checks off (tests, closed networks); the
// URL's form is checked regardless.
type Guard struct {
	AllowPrivate bool
	Resolver     Resolver
	// LookupTimeout bounds the resolution at save time (default 5 s).
	LookupTimeout time.Duration
}

// NewGuard returns a guard that resolves with the system resolver.
func NewGuard(allowPrivate bool) *Guard {
	return &Guard{AllowPrivate: allowPrivate, Resolver: net.DefaultResolver}
}

// inward is the address table: code.dny.dev/ssrf's deny list, built from
// IANA's special-purpose registries (IPv4: this network, private, shared,
// loopback, link-local, documentation, benchmarking, multicast, reserved and
// the broadcast address; IPv6: everything outside global unicast 2000::/3,
// which takes in loopback, unspecified, IPv4-compatible and -mapped forms,
// unique local, link-local, site-local, multicast and NAT64, and inside it the
// IETF, documentation, 6to4 and AS112 ranges). Ports and networks are judged
// by the guard itself (webhooks may use any port), so the guardian checks
// addresses only. It is built once and never modified, as the library asks.
var inward = ssrf.New(ssrf.WithAnyPort(), ssrf.WithAnyNetwork())

// Classify says why an address may not be reached ("" when it may). An
// IPv4-mapped IPv6 address is judged as the IPv4 address it maps; an address
// with a zone is never reached. The decision is the ssrf library's; the
// words name the kind of address for the messages people read.
func Classify(ip netip.Addr) string {
	if !ip.IsValid() {
		return "not an address"
	}
	if ip.Zone() != "" {
		return "an address with a zone"
	}
	ip = ip.Unmap()
	if inward.SafeAddr(ip) == nil {
		return ""
	}
	switch {
	case ip.IsLoopback():
		return "a loopback address"
	case ip.IsPrivate():
		return "a private address"
	case ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast():
		return "a link-local address"
	case ip.IsUnspecified():
		return "an unspecified address"
	case ip.IsMulticast(), ip.IsInterfaceLocalMulticast():
		return "a multicast address"
	case ip.Is6() && !ssrf.IPv6GlobalUnicast.Contains(ip):
		return "an address outside IPv6 global unicast"
	}
	return "a reserved or special-purpose address"
}

// ParseHost reads a URL host as an address in any spelling a resolver or a
// browser might accept: a dotted quad, an IPv6 literal (brackets stripped),
// and the inet_aton forms: one to four parts, each decimal, octal (leading 0)
// or hexadecimal (0x), the last filling the remaining bytes ("2130706433",
// "0177.0.0.1", "0x7f.1", "127.1"). It reports whether host is an address at
// all; a host that looks numeric but is no valid address is an error, since
// resolvers disagree on what it means.
func ParseHost(host string) (netip.Addr, bool, error) {
	h := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSuffix(host, "]"), "["), ".")
	if strings.Contains(h, ":") {
		ip, err := netip.ParseAddr(h)
		if err != nil {
			return netip.Addr{}, true, fmt.Errorf("is not a valid IPv6 address")
		}
		return ip, true, nil
	}
	parts := strings.Split(h, ".")
	if !numericLabel(parts[len(parts)-1]) {
		return netip.Addr{}, false, nil // a name: its last label is not a number
	}
	bad := errors.New("looks like an IPv4 address but is not a valid one")
	if len(parts) > 4 {
		return netip.Addr{}, true, bad
	}
	vals := make([]uint64, len(parts))
	for i, p := range parts {
		v, ok := inetAtonPart(p)
		if !ok {
			return netip.Addr{}, true, bad
		}
		vals[i] = v
	}
	var n uint64
	for i, v := range vals[:len(vals)-1] {
		if v > 255 {
			return netip.Addr{}, true, bad
		}
		n |= v << (8 * (3 - i))
	}
	last := vals[len(vals)-1]
	if last >= 1<<(8*(5-len(vals))) {
		return netip.Addr{}, true, bad
	}
	n |= last
	// #nosec G115 -- each part was checked above to fit its octets, so n < 2^32 and the bytes are exact.
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}), true, nil
}

// numericLabel reports whether a label is a number in inet_aton's sense (or
// tries to be one): digits, or 0x followed by hex digits.
func numericLabel(s string) bool {
	if s == "" {
		return false
	}
	l := strings.ToLower(s)
	if strings.HasPrefix(l, "0x") {
		for _, r := range l[2:] {
			if !strings.ContainsRune("0123456789abcdef", r) {
				return false
			}
		}
		return true
	}
	for _, r := range l {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func inetAtonPart(p string) (uint64, bool) {
	l := strings.ToLower(p)
	base := 10
	switch {
	case strings.HasPrefix(l, "0x"):
		l, base = l[2:], 16
		if l == "" {
			return 0, true
		}
	case len(l) > 1 && l[0] == '0':
		l, base = l[1:], 8
	}
	if l == "" {
		return 0, false
	}
	v, err := strconv.ParseUint(l, base, 32)
	return v, err == nil
}

func urlError(format string, args ...any) error { return docket.Unacceptable("url", format, args...) }

// checkForm checks what needs no resolution: an absolute http or https URL
// with a host, no credentials, an ASCII host name, and a literal address (in
// any spelling) that may be reached. It returns the host name to resolve, or
// "" when the host is an address.
func (g *Guard) checkForm(raw string) (*url.URL, string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, "", urlError("is not a URL")
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, "", urlError("must be an https or http URL")
	}
	if u.Opaque != "" || u.Host == "" {
		return nil, "", urlError("must name a host")
	}
	if u.User != nil {
		return nil, "", urlError("must not carry credentials (user:password@); the signature authenticates Docket")
	}
	host := u.Hostname()
	if host == "" {
		return nil, "", urlError("must name a host")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, "", urlError("has a bad port")
		}
	}
	for _, r := range host {
		if r > 0x7e || r <= 0x20 {
			return nil, "", urlError("must have an ASCII host name (write international names in punycode)")
		}
	}
	ip, isAddr, err := ParseHost(host)
	if err != nil {
		return nil, "", urlError("host %s", err)
	}
	if isAddr {
		if why := Classify(ip); why != "" && !g.AllowPrivate {
			return nil, "", urlError("points to %s, which webhooks may not reach", why)
		}
		if ip.Zone() != "" {
			return nil, "", urlError("must not name a network zone")
		}
		if ip.Is4() && host != ip.String() {
			// Resolvers disagree on the other spellings: only the usual one is dialled as written.
			return nil, "", urlError("must write an IPv4 address as a dotted quad (%s)", ip)
		}
		return u, "", nil
	}
	return u, host, nil
}

// CheckURL accepts a webhook URL (nil) or refuses it with a 422 naming url:
// not http(s), credentials in it, or a host that is, or resolves to, an
// address webhooks may not reach (every resolved address is checked).
func (g *Guard) CheckURL(ctx context.Context, raw string) error {
	_, host, err := g.checkForm(raw)
	if err != nil || host == "" || g.AllowPrivate {
		return err
	}
	timeout := g.LookupTimeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	r := g.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return urlError("host %s does not resolve", host)
	}
	for _, a := range addrs {
		if why := Classify(a); why != "" {
			return urlError("host %s resolves to %s, which webhooks may not reach", host, why)
		}
	}
	return nil
}

// ErrRefusedAddress is the dial-time refusal of an inward address.
var ErrRefusedAddress = errors.New("refused address")

// Control is a net.Dialer Control function: it refuses to connect to an
// address webhooks may not reach. It sees the address after resolution, so a
// name that resolves inward at dial time is refused too.
func (g *Guard) Control(network, address string, _ syscall.RawConn) error {
	if g.AllowPrivate {
		return nil
	}
	if network != "tcp4" && network != "tcp6" && network != "tcp" {
		return fmt.Errorf("%w: network %s", ErrRefusedAddress, network)
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrRefusedAddress, "unparsable address")
	}
	if why := Classify(ap.Addr()); why != "" {
		return fmt.Errorf("%w: %s", ErrRefusedAddress, why)
	}
	return nil
}

// Dialer returns a dialer whose every connection passes through Control.
func (g *Guard) Dialer(timeout time.Duration) *net.Dialer {
	return &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second, Control: g.Control}
}
