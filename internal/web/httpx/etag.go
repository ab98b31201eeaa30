package httpx

import "strings"

// ETagMatches reports whether an If-None-Match header matches etag, by the
// weak comparison RFC 9110 asks of If-None-Match: "*", or any listed entity
// tag equal to etag once W/ is set aside.
func ETagMatches(ifNoneMatch, etag string) bool {
	if ifNoneMatch == "" {
		return false
	}
	if strings.TrimSpace(ifNoneMatch) == "*" {
		return true
	}
	want := strings.TrimPrefix(etag, "W/")
	for _, t := range strings.Split(ifNoneMatch, ",") {
		if strings.TrimPrefix(strings.TrimSpace(t), "W/") == want {
			return true
		}
	}
	return false
}
