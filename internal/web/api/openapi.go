package api

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

// OpenAPI is the API's OpenAPI 3 description, served at /api/openapi.json and
// checked against every response in the API tests.
//
//go:embed openapi.json
var OpenAPI []byte

// ServeOpenAPI serves the OpenAPI document.
func ServeOpenAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, OpenAPI)
}
