package auth

import (
	"strings"
	"testing"
	"time"
)

// TestParseRemembersOnlyWhatStaysTrue: a token verified once is not decoded
// again, but its time claims are checked on every use, and it never counts
// for another kind.
func TestParseRemembersOnlyWhatStaysTrue(t *testing.T) {
	now := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
	s, err := NewSigner([]byte(strings.Repeat("k", 32)), "docket", func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	tok, err := s.Issue(KindSession, "t1", "u1", 3, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ { // the second parse comes from memory
		c, err := s.Parse(KindSession, tok)
		if err != nil || c.ID != "t1" || c.Subject != "u1" || c.Version != 3 {
			t.Fatalf("parse %d: %+v %v", i, c, err)
		}
	}
	if _, err := s.Parse(KindAPIToken, tok); err != ErrInvalidToken {
		t.Fatalf("a session parsed as an API token: %v", err)
	}
	now = now.Add(-time.Minute) // before nbf
	if _, err := s.Parse(KindSession, tok); err != ErrInvalidToken {
		t.Fatalf("used before nbf: %v", err)
	}
	now = now.Add(time.Minute + time.Hour) // exactly exp
	if _, err := s.Parse(KindSession, tok); err != ErrInvalidToken {
		t.Fatalf("used at exp: %v", err)
	}
	if _, err := s.Parse(KindSession, tok[:len(tok)-2]+"xx"); err != ErrInvalidToken {
		t.Fatalf("a forged signature: %v", err)
	}
}
