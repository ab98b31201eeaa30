package api

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"
)

// OpenAPI is the API's OpenAPI 3.1 description as written, served at
// /api/openapi.json with this deployment's address and contact (Served) and
// checked against every response in the API tests.
//
//go:embed openapi.json
var OpenAPI []byte

// Served is the document a deployment serves: servers holds its base_url and
// info.contact its address (mail.from) and base_url, so that a client
// generated from it calls this Docket. Without a base_url the document keeps
// the relative server "/" (the request's host).
func Served(st Settings) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(OpenAPI, &doc); err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	info, _ := doc["info"].(map[string]any)
	contact, _ := info["contact"].(map[string]any)
	if st.BaseURL != "" {
		doc["servers"] = []any{map[string]any{"url": st.BaseURL, "description": "This Docket"}}
		contact["url"] = st.BaseURL
	}
	if st.Organizer != nil {
		contact["email"] = st.Organizer.Address
		if st.Organizer.Name != "" {
			contact["name"] = st.Organizer.Name
		}
	}
	return json.MarshalIndent(doc, "", "  ")
}

// serveOpenAPI serves the deployment's document, computed once.
func serveOpenAPI(body []byte) echo.HandlerFunc {
	return func(c echo.Context) error {
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, body)
	}
}
