package api

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

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
	if info == nil || contact == nil {
		return nil, fmt.Errorf("openapi.json: info.contact is missing")
	}
	if st.BaseURL != "" {
		doc["servers"] = []any{map[string]any{"url": st.BaseURL, "description": "This Docket"}}
		contact["url"] = st.BaseURL
	}
	// An address on a single-label domain (docket@localhost, the shipped
	// default) reaches no one outside and is no e-mail address to a reader
	// of the document: the contact then names no address.
	if st.Organizer != nil && outsideAddress(st.Organizer.Address) {
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

// outsideAddress reports whether an address's domain has more than one label.
func outsideAddress(addr string) bool {
	at := strings.LastIndexByte(addr, '@')
	return at > 0 && strings.Contains(strings.Trim(addr[at+1:], "."), ".")
}
