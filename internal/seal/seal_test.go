package seal

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

// TestSealing: a sealed value opens with the same purpose, binding and
// secret, and with nothing else; two seals of one value differ (fresh nonces).
func TestSealing(t *testing.T) {
	secret := []byte(strings.Repeat("s", 32))
	hooks, err := New(secret, WebhookSecrets)
	if err != nil {
		t.Fatal(err)
	}
	plain := []byte("whsec_the secret")
	sealed, err := hooks.Seal(plain, "webhook-1")
	if err != nil {
		t.Fatal(err)
	}
	again, _ := hooks.Seal(plain, "webhook-1")
	if bytes.Contains(sealed, plain) || bytes.Equal(sealed, again) {
		t.Fatal("the sealed value shows the plain text, or two seals are equal")
	}
	if got, err := hooks.Open(sealed, "webhook-1"); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("open: %q, %v", got, err)
	}
	keys, _ := New(secret, StatementKeys)
	other, _ := New([]byte(strings.Repeat("t", 32)), WebhookSecrets)
	flipped := bytes.Clone(sealed)
	flipped[len(flipped)-1] ^= 1
	for name, try := range map[string]func() ([]byte, error){
		"another binding":           func() ([]byte, error) { return hooks.Open(sealed, "webhook-2") },
		"another purpose":           func() ([]byte, error) { return keys.Open(sealed, "webhook-1") },
		"another deployment secret": func() ([]byte, error) { return other.Open(sealed, "webhook-1") },
		"a changed byte":            func() ([]byte, error) { return hooks.Open(flipped, "webhook-1") },
		"too short":                 func() ([]byte, error) { return hooks.Open(sealed[:5], "webhook-1") },
	} {
		if got, err := try(); err != ErrOpen || got != nil {
			t.Errorf("%s: %q, %v", name, got, err)
		}
	}
	if _, err := New(nil, WebhookSecrets); err == nil {
		t.Error("a sealer without a secret")
	}
	if _, err := AuditKey(nil); err == nil {
		t.Error("an audit key without a secret")
	}
}

// vectorSecret is the signing secret the values below were sealed under, by
// the sealing code as it stood inside internal/app (commit 192fb9a).
const vectorSecret = "docket test vector secret, 32+ bytes long"

// TestSealedBeforeStillOpens: values sealed by the earlier code open, to
// the same plain text, with the same purpose, binding and secret; and the
// audit key is the same bytes, so that the values hashed under it still
// compare. A change of label, algorithm, nonce layout or binding fails here.
func TestSealedBeforeStillOpens(t *testing.T) {
	for _, v := range []struct {
		purpose      Purpose
		bound, plain string
		sealedHex    string
	}{
		{WebhookSecrets, "0b6f3c1e-5a51-4c43-9d0e-1f2a3b4c5d6e", "whsec_fixed vector",
			"45cf53e5529176e7c03fc627b755b786027c5fa82d4df18a409b300826b2c10d2dec9d8f81ac06d7d68c5488623c"},
		{StatementKeys, "kid:AbCdEf", "0123456789abcdef0123456789abcdef",
			"fb902b894ef185cac99f0b9f3036988ef8b4c757c6007211997cdbe14f2c1b401e10331cfc6df1aef0ee41163bdb27f7068958fdae1151255634dcc9"},
	} {
		s, err := New([]byte(vectorSecret), v.purpose)
		if err != nil {
			t.Fatal(err)
		}
		sealed, err := hex.DecodeString(v.sealedHex)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.Open(sealed, v.bound); err != nil || string(got) != v.plain {
			t.Errorf("%s: opened %q, %v; want %q", v.purpose, got, err, v.plain)
		}
		// The layout: a 12-byte nonce, the ciphertext, a 16-byte tag.
		if len(sealed) != 12+len(v.plain)+16 {
			t.Errorf("%s: %d bytes sealed for %d plain", v.purpose, len(sealed), len(v.plain))
		}
	}
	key, err := AuditKey([]byte(vectorSecret))
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(key); got != "36e4810722b1159467b8c72773aee7ced4e86b9c5f3bee5c18ec0c8d86b545ef" {
		t.Errorf("audit key %s", got)
	}
}
