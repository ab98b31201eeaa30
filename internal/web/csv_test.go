package web_test

import (
	"encoding/csv"
	"strconv"
	"strings"
	"testing"
	"time"
)

// readCSV parses body as RFC 4180 strictly: CRLF after every record, the
// same number of fields in each, quotes only where a field needs them.
func readCSV(t *testing.T, name, body string) [][]string {
	t.Helper()
	body = strings.TrimPrefix(body, "\ufeff")
	if !strings.HasSuffix(body, "\r\n") || strings.Count(body, "\n") != strings.Count(body, "\r\n") {
		t.Fatalf("%s: a line does not end in CRLF:\n%q", name, body)
	}
	r := csv.NewReader(strings.NewReader(body))
	r.FieldsPerRecord = 0
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return rows
}

// TestCSVSpeaksRFC4180: the dashboard's and the Clearinghouse's CSV, through
// the API and the pages, end every line in CRLF; numbers and booleans are
// written as such (an overdue case's remaining seconds stay a negative
// number), while text cells that a spreadsheet would run are neutralised;
// bom=true adds a byte order mark, and bom takes true or false only.
func TestCSVSpeaksRFC4180(t *testing.T) {
	w := newWorld(t)
	start := w.clock.Now()
	w.submitAt(start, draftBody("-1 Overdue"))
	w.submitAt(start.Add(39*24*time.Hour), draftBody("=HYPERLINK(\"http://evil\")"))
	w.clock.Set(start.Add(40 * 24 * time.Hour))
	co := w.pageAs("co")
	for _, src := range []struct {
		name string
		get  func(query string) (int, string)
	}{
		{"API", func(q string) (int, string) {
			r := w.as("co", "GET", "/api/v1/dashboard.csv"+q, nil)
			return r.Code, r.Body
		}},
		{"page", func(q string) (int, string) {
			p := co.get("/dashboard.csv" + q)
			return p.Code, p.Body
		}},
	} {
		code, body := src.get("")
		if code != 200 {
			t.Fatalf("%s: %d %s", src.name, code, body)
		}
		if strings.HasPrefix(body, "\ufeff") {
			t.Errorf("%s: a byte order mark unasked", src.name)
		}
		rows := readCSV(t, src.name, body)
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		overdue, formula := false, false
		for _, row := range rows[1:] {
			remaining, err := strconv.ParseFloat(row[col["remaining_seconds"]], 64)
			if err != nil {
				t.Errorf("%s: remaining_seconds %q is not a number", src.name, row[col["remaining_seconds"]])
			}
			if c := row[col["release_conflict"]]; c != "true" && c != "false" {
				t.Errorf("%s: release_conflict %q", src.name, c)
			}
			switch model := row[col["model"]]; model {
			case "'-1 Overdue":
				overdue = remaining < 0
			case `'=HYPERLINK("http://evil")`:
				formula = true
			default:
				t.Errorf("%s: model cell %q", src.name, model)
			}
		}
		if !overdue || !formula {
			t.Errorf("%s: overdue row with a negative number %v, neutralised formula %v:\n%s", src.name, overdue, formula, body)
		}
		code, body = src.get("?bom=true")
		if code != 200 || !strings.HasPrefix(body, "\ufeff") {
			t.Errorf("%s: bom=true: %d, %q", src.name, code, body[:min(8, len(body))])
		}
		readCSV(t, src.name+" with a byte order mark", body)
		if code, _ := src.get("?bom=false"); code != 200 {
			t.Errorf("%s: bom=false: %d", src.name, code)
		}
		if code, body := src.get("?bom=yes"); code != 422 || !strings.Contains(body, "bom") {
			t.Errorf("%s: bom=yes: %d %s", src.name, code, body)
		}
	}
	for _, path := range []string{"/api/v1/clearinghouse.csv", "/clearinghouse.csv"} {
		get := func(q string) (int, string) {
			if strings.HasPrefix(path, "/api/") {
				r := w.as("co", "GET", path+q, nil)
				return r.Code, r.Body
			}
			p := co.get(path + q)
			return p.Code, p.Body
		}
		code, body := get("?bom=true")
		if code != 200 || !strings.HasPrefix(body, "\ufeff") {
			t.Fatalf("%s?bom=true: %d %q", path, code, body)
		}
		if rows := readCSV(t, path, body); len(rows) < 1 || rows[0][0] != "cveID" {
			t.Errorf("%s: %v", path, rows)
		}
		if code, _ := get("?format=xls"); code != 400 {
			t.Errorf("%s?format=xls: %d", path, code)
		}
	}
}
