package app

import (
	"bytes"
	"strings"
	"testing"
)

// TestSealing: a sealed value opens with the same purpose, binding and
// secret, and with nothing else; two seals of one value differ (fresh nonces).
func TestSealing(t *testing.T) {
	svc := &Service{secret: []byte(strings.Repeat("s", 32))}
	hooks, err := svc.sealerFor(sealWebhookSecrets)
	if err != nil {
		t.Fatal(err)
	}
	plain := []byte("whsec_the secret")
	sealed, err := hooks.seal(plain, "webhook-1")
	if err != nil {
		t.Fatal(err)
	}
	again, _ := hooks.seal(plain, "webhook-1")
	if bytes.Contains(sealed, plain) || bytes.Equal(sealed, again) {
		t.Fatal("the sealed value shows the plain text, or two seals are equal")
	}
	if got, err := hooks.open(sealed, "webhook-1"); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("open: %q, %v", got, err)
	}
	keys, _ := svc.sealerFor(sealStatementKeys)
	other, _ := (&Service{secret: []byte(strings.Repeat("t", 32))}).sealerFor(sealWebhookSecrets)
	flipped := bytes.Clone(sealed)
	flipped[len(flipped)-1] ^= 1
	for name, try := range map[string]func() ([]byte, error){
		"another binding":           func() ([]byte, error) { return hooks.open(sealed, "webhook-2") },
		"another purpose":           func() ([]byte, error) { return keys.open(sealed, "webhook-1") },
		"another deployment secret": func() ([]byte, error) { return other.open(sealed, "webhook-1") },
		"a changed byte":            func() ([]byte, error) { return hooks.open(flipped, "webhook-1") },
		"too short":                 func() ([]byte, error) { return hooks.open(sealed[:5], "webhook-1") },
	} {
		if got, err := try(); err != errSealed || got != nil {
			t.Errorf("%s: %q, %v", name, got, err)
		}
	}
	if _, err := (&Service{}).sealerFor(sealWebhookSecrets); err == nil {
		t.Error("a sealer without a secret")
	}
}
