package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
)

// MaxJSONBody is the largest JSON body the API reads.
const MaxJSONBody = 1 << 20

// decode reads a JSON body strictly into v: application/json only (415), at
// most MaxJSONBody (413), no unknown or unsettable fields and no wrong types
// (400 naming the field), exactly one value.
func decode(c echo.Context, v any) error {
	r := c.Request()
	if ct := r.Header.Get(echo.HeaderContentType); ct != "" || r.ContentLength != 0 {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != echo.MIMEApplicationJSON {
			return &docket.Error{Code: docket.EUnsupported, Message: "send application/json"}
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), r.Body, MaxJSONBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &docket.Error{Code: docket.ETooLarge, Message: "the body is larger than 1 MiB"}
		}
		return docket.FieldError("", "the body could not be read")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return docket.FieldError("", "the body must hold one JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return docket.FieldError("", "the body must hold one JSON object")
	}
	if field, ok := httpx.NulField(reflect.ValueOf(v), ""); ok {
		return docket.FieldError(field, httpx.TextRule)
	}
	return nil
}

// jsonError names the field a decoding error is about.
func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			return docket.FieldError("", "the body must be a JSON object")
		}
		return docket.FieldError(field, "must be a JSON %s", jsonKind(te.Type.Kind().String()))
	case errors.As(err, &se):
		return docket.FieldError("", "malformed JSON at byte %d", se.Offset)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return docket.FieldError(name, "is not a field you may set here")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return docket.FieldError("", "malformed JSON: the body ends early")
	}
	return docket.FieldError("", "malformed JSON")
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "array"
	case "map", "struct":
		return "object"
	}
	return "number"
}

// page reads limit and cursor from the query.
func page(c echo.Context) (app.Page, error) {
	p := app.Page{Cursor: c.QueryParam("cursor")}
	if l := c.QueryParam("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 200 {
			return p, docket.Unacceptable("limit", "must be a whole number from 1 to 200")
		}
		p.Limit = n
	}
	if len(p.Cursor) > 512 {
		return p, docket.Unacceptable("cursor", "is not a cursor this list gave")
	}
	return p, nil
}

// list is the answer of every paginated route.
type list struct {
	Items      any     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

func listOf(items any, next string) list {
	l := list{Items: items}
	if next != "" {
		l.NextCursor = &next
	}
	return l
}

// countsJSON is a map of counts that encodes itself as encoding/json would
// (keys sorted, HTML-safe), without the reflection and the sorting machinery
// it spends on every map: a dashboard page has one per case.
type countsJSON map[string]int

func (m countsJSON) MarshalJSON() ([]byte, error) { return m.append(nil), nil }

// append appends the map's JSON to b.
func (m countsJSON) append(b []byte) []byte {
	if m == nil {
		return append(b, "null"...)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(m[k]), 10)
	}
	return append(b, '}')
}
