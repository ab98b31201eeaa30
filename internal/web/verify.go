package web

import (
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"github.com/docket/docket/internal/docket"
)

// Verifying a statement is open to anyone: POST /api/v1/statements/verify
// and the /verify page share one limit per client address (the address the
// IP extractor trusts), a burst of verifyBurst and then verifyRate a second.
const (
	verifyRate  = 1
	verifyBurst = 20
)

// newVerifyLimit builds the limit of the verification routes.
func newVerifyLimit() echo.MiddlewareFunc {
	return newAddressLimit(verifyRate, verifyBurst, "too many verifications from this address: wait a second and try again")
}

// newAddressLimit limits requests per client (addressBlock: the address the
// IP extractor trusts, an IPv6 one by its /64), a burst and then rate a
// second (perSecond); a request over it is 429 with Retry-After and refused
// (what the answer says).
func newAddressLimit(perSecond rate.Limit, burst int, refused string) echo.MiddlewareFunc {
	store := middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
		Rate: perSecond, Burst: burst, ExpiresIn: 3 * time.Minute})
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store:               store,
		IdentifierExtractor: func(c echo.Context) (string, error) { return addressBlock(c.RealIP()), nil },
		ErrorHandler: func(echo.Context, error) error {
			return docket.Errorf(docket.EForbidden, "no client address")
		},
		DenyHandler: func(c echo.Context, _ string, _ error) error {
			c.Response().Header().Set("Retry-After", "1")
			return &docket.Error{Code: docket.ERateLimited, Message: refused}
		},
	})
}
