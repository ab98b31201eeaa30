package web_test

import "testing"

// TestLookAlikeEmailsAreRefused: e-mail addresses are ASCII (an
// internationalised domain in its xn-- form) and compared ignoring case, so
// no look-alike of a user's address can be created beside it.
func TestLookAlikeEmailsAreRefused(t *testing.T) {
	ts := newTestServer(t)
	ada := ts.addUser("ada", "admin", "Agency")
	create := func(email string) response {
		return ts.as("ada", "POST", "/api/v1/users", map[string]any{"email": email, "name": "Emily Carter",
			"role": "compliance_officer", "org_id": ada.OrgID, "password": testPassword})
	}
	want(t, create("emily.carter@agency.example.gov"), 201)
	for _, look := range []string{
		"emıly.carter@agency.example.gov", // dotless i
		"еmily.carter@agency.example.gov", // Cyrillic е
		"ｅmily.carter@agency.example.gov", // fullwidth e
		"emily.carter@agеncy.example.gov", // Cyrillic е in the domain
		"emily.carter@bücher.example",     // a Unicode domain, not its xn-- form
		"emily\u200b.carter@agency.example.gov",
	} {
		r := create(look)
		if r.Code != 422 || r.ErrorField() != "email" {
			t.Errorf("%q: %d %s, want 422 naming email", look, r.Code, r.Body)
		}
	}
	if r := create("Emily.Carter@AGENCY.example.gov"); r.Code != 409 {
		t.Errorf("the same address in other case: %d %s, want 409", r.Code, r.Body)
	}
	// An internationalised domain in its ASCII form is an address like any other.
	want(t, create("emily.carter@xn--bcher-kva.example"), 201)
	// Sign-in ignores case too.
	if r := ts.do("POST", "/api/v1/auth/token", "", map[string]string{"email": "EMILY.CARTER@agency.example.gov", "password": testPassword}); r.Code != 200 {
		t.Errorf("sign-in in upper case: %d %s", r.Code, r.Body)
	}
}
