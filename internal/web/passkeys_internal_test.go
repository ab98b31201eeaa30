package web

import "testing"

// TestAddressBlock: a client is limited as its IPv4 address, or its IPv6
// address's /64, which one site hands its hosts from.
func TestAddressBlock(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.7":            "192.0.2.7",
		"::ffff:192.0.2.7":     "::ffff:192.0.2.7",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1": "2001:db8:1:2::/64",
		"2001:db8:1:3::1":      "2001:db8:1:3::/64",
		"not an address":       "not an address",
	} {
		if got := addressBlock(in); got != want {
			t.Errorf("addressBlock(%q) = %q, want %q", in, got, want)
		}
	}
}
