package browsertest_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TestAReviewerSignsInWithAnAuthenticatorApp: a reviewer adds an
// authenticator app on the account page (its QR code drawn there, the setup
// key beside it), confirms it with the app's code, signs out, and signs in
// with the password and then a code on the second step; axe-core checks the
// enrolment and the second step.
func TestAReviewerSignsInWithAnAuthenticatorApp(t *testing.T) {
	e := newEnv(t)
	b := e.tab("rev")
	b.signIn()
	b.open("/account", http.StatusOK)
	b.do("name the app", chromedp.SendKeys(chromedp.ID("f-factor-name"), "work phone"))
	b.submit("add an authenticator app", `form[action="/account/mfa/totp"] button`, http.StatusCreated)
	b.sees("Add “work phone”", "scan this code", "Enter the 6-digit code")
	if n := eval[int](b, `document.querySelectorAll('svg.qr path').length`); n != 1 {
		t.Fatalf("the QR code is not drawn on the page (%d paths)", n)
	}
	b.shot("enrol")
	b.accessible("account: add an authenticator app")
	code := b.appCodes()
	b.do("type the app's code", chromedp.SendKeys(chromedp.ID("f-code"), code()))
	b.submit("confirm the app", `form[action$="/confirm"] button`, http.StatusOK)
	b.sees("The authenticator app is added", "work phone", "Recovery codes left: 0")
	b.submit("sign out", `form[action="/logout"] button`, http.StatusOK)

	// The next step's code: the one the confirmation used works once only.
	e.clock.at(e.clock.Now().Add(30 * time.Second))
	b.password("/login")
	b.sees("Your password is right", "Code")
	b.accessible("sign-in: the second step")
	b.do("type a wrong code", chromedp.SendKeys(chromedp.ID("code"), "000000"))
	b.submit("send a wrong code", `form[action="/login/second-factor"] button`, http.StatusUnauthorized)
	b.sees("That code is not right")
	b.do("type the app's code", chromedp.SendKeys(chromedp.ID("code"), code()))
	b.submit("send the code", `form[action="/login/second-factor"] button`, http.StatusOK)
	b.sees(e.users["rev"].Name, "Sign out")
}

// appCodes reads the setup key an enrolment shows and returns the codes an
// authenticator app would show from it, at the server's instant.
func (b *tab) appCodes() func() string {
	b.e.t.Helper()
	secret := strings.ReplaceAll(eval[string](b, `document.querySelector('code.secret').textContent`), " ", "")
	return func() string {
		c, err := totp.GenerateCodeCustom(secret, b.e.clock.Now(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			b.e.t.Fatal(err)
		}
		return c
	}
}
