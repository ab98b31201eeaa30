package httpx

import (
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/docket"
)

// BadText reports whether s cannot be stored as text on every engine
// Docket runs on: PostgreSQL refuses NUL and invalid UTF-8 in a text value.
func BadText(s string) bool {
	return !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0
}

const TextRule = "must be UTF-8 text without NUL characters"

// PlainText refuses any query parameter that is not text with a 400 naming
// it, and answers 404 for a path parameter that is not text (no resource has
// such an id), before a handler can carry either to the database. Forms are
// checked where they are read, within their size limit (limitForm).
func PlainText(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		for i, name := range c.ParamNames() {
			if v := c.ParamValues(); i < len(v) && BadText(v[i]) {
				return docket.NotFound(name)
			}
		}
		for name, vs := range c.QueryParams() {
			if err := textValues(name, vs); err != nil {
				return err
			}
		}
		return next(c)
	}
}

// TextForm refuses a parsed form with a field that is not text.
func TextForm(form map[string][]string) error {
	for name, vs := range form {
		if err := textValues(name, vs); err != nil {
			return err
		}
	}
	return nil
}

func textValues(name string, vs []string) error {
	if BadText(name) {
		return docket.FieldError("", "a parameter name "+TextRule)
	}
	for _, v := range vs {
		if BadText(v) {
			return docket.FieldError(name, TextRule)
		}
	}
	return nil
}

// NulField names the first string inside v (a decoded JSON body) that holds
// a NUL character ("\u0000" in JSON), by its JSON path; "" when there is none.
func NulField(v reflect.Value, path string) (string, bool) {
	switch v.Kind() {
	case reflect.String:
		return path, strings.IndexByte(v.String(), 0) >= 0
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return "", false
		}
		return NulField(v.Elem(), path)
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if p, ok := NulField(v.Index(i), path); ok {
				return p, true
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if k := it.Key(); k.Kind() == reflect.String && strings.IndexByte(k.String(), 0) >= 0 {
				return path, true
			}
			if p, ok := NulField(it.Value(), join(path, it.Key().String())); ok {
				return p, true
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if f.Anonymous && f.Tag.Get("json") == "" {
				name = path // embedded: its fields sit at this level
			} else {
				name = join(path, name)
			}
			if p, ok := NulField(v.Field(i), name); ok {
				return p, true
			}
		}
	}
	return "", false
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
