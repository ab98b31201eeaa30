package docket_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/docket/docket/internal/docket"
)

func TestCleanFileName(t *testing.T) {
	cases := []struct{ in, want string }{
		{"report.pdf", "report.pdf"},
		{"../x", "x"},
		{`..\x`, "x"},
		{`..\..\windows\system32\evil.pdf`, "evil.pdf"},
		{"/etc/passwd", "passwd"},
		{"dir/", "attachment"},
		{"a\x00b.txt", "ab.txt"},
		{"tab\there.md", "tabhere.md"},
		{"bell\x07.md", "bell.md"},
		{"c1\u0085ctrl.md", "c1ctrl.md"},
		{"invoice\u202Egpj.exe", "invoicegpj.exe"},
		{"\u202Aembed\u202C\u200F.md", "embed.md"},
		{"zero\u200Bwidth.md", "zerowidth.md"},
		{"bad\xffutf8.md", "badutf8.md"},
		{"  spaced  ", "spaced"},
		{"", "attachment"},
		{".", "attachment"},
		{"...", "attachment"},
		{"\u202E", "attachment"},
		{"日本語の報告書.pdf", "日本語の報告書.pdf"},
	}
	for _, c := range cases {
		if got := docket.CleanFileName(c.in); got != c.want {
			t.Errorf("CleanFileName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	long := docket.CleanFileName(strings.Repeat("é", 1024) + ".pdf")
	if n := utf8.RuneCountInString(long); n != docket.MaxAttachmentName || !utf8.ValidString(long) {
		t.Errorf("a 1 KB name cleans to %d characters", n)
	}
}

// sniff writes content in chunks of the given size and returns the verdict.
func sniff(content []byte, chunk int, name string) (docket.Sniffed, error) {
	s := docket.NewSniffer()
	for len(content) > 0 {
		n := min(chunk, len(content))
		_, _ = s.Write(content[:n])
		content = content[n:]
	}
	return s.Result(name)
}

func TestSniffer(t *testing.T) {
	utf := []byte(strings.Repeat("Évaluation ✓ — 日本 ", 200))
	cases := []struct {
		name    string
		file    string
		content []byte
		want    string // a content type, or an error code
		json    bool
	}{
		{"pdf", "a.pdf", []byte("%PDF-1.4\n..."), docket.TypePDF, false},
		{"text", "a.txt", []byte("hello\n"), docket.TypeText, false},
		{"multi-byte text", "a.txt", utf, docket.TypeText, false},
		{"markdown", "a.md", []byte("# T\n"), docket.TypeMarkdown, false},
		{"csv", "a.CSV", []byte("a,b\n"), docket.TypeCSV, false},
		{"maybe json", "a", []byte(" {\"a\": 1}"), docket.TypeText, true},
		{"json by name", "a.json", []byte("1"), docket.TypeText, true},
		{"bom then html", "a.txt", []byte("\xef\xbb\xbf<html>"), docket.EUnsupported, false},
		{"html comment", "a.md", []byte("<!-- x -->"), docket.EUnsupported, false},
		{"script", "a.txt", []byte("<SCRIPT>"), docket.EUnsupported, false},
		{"svg", "a.txt", []byte("<svg/>"), docket.EUnsupported, false},
		{"shebang", "a.txt", []byte("#!/usr/bin/env python\n"), docket.EUnsupported, false},
		{"elf", "a.pdf", []byte("\x7fELF\x02\x01\x01"), docket.EUnsupported, false},
		{"mz executable", "a.pdf", []byte("MZ\x90\x00\x03"), docket.EUnsupported, false},
		{"text starting MZ", "a.txt", []byte("MZ Labs notes"), docket.TypeText, false},
		{"mach-o", "a.pdf", []byte{0xfe, 0xed, 0xfa, 0xcf, 0, 0}, docket.EUnsupported, false},
		{"zip", "a.md", []byte("PK\x03\x04"), docket.EUnsupported, false},
		{"7z", "a.txt", []byte{'7', 'z', 0xbc, 0xaf, 0x27, 0x1c}, docket.EUnsupported, false},
		{"tar", "a.txt", append(append(make([]byte, 257), "ustar"...), make([]byte, 300)...), docket.EUnsupported, false},
		{"nul", "a.txt", []byte("a\x00"), docket.EUnsupported, false},
		{"latin-1", "a.txt", []byte("caf\xe9"), docket.EUnsupported, false},
		{"cut character", "a.txt", []byte("ok \xe2\x9c"), docket.EUnsupported, false},
		{"empty", "a.txt", nil, docket.EUnprocessable, false},
	}
	for _, c := range cases {
		for _, chunk := range []int{1, 2, 3, 7, 4096} {
			got, err := sniff(c.content, chunk, c.file)
			res := got.ContentType
			if err != nil {
				res = docket.ErrorCode(err)
			}
			if res != c.want || err == nil && got.MaybeJSON != c.json {
				t.Errorf("%s in chunks of %d: %q (json %v), want %q (json %v)", c.name, chunk, res, got.MaybeJSON, c.want, c.json)
			}
		}
	}
}

func TestValidJSON(t *testing.T) {
	for in, want := range map[string]bool{
		`{"a": [1, 2, {"b": null}]}`: true,
		` [1] `:                      true,
		`"text"`:                     true,
		`3.5`:                        true,
		`{"a": 1`:                    false,
		`{"a": 1}}`:                  false,
		`{"a": 1} {"b": 2}`:          false,
		`{"a" 1}`:                    false,
		`[1,]`:                       false,
		``:                           false,
		`nul`:                        false,
	} {
		if got := docket.ValidJSON(strings.NewReader(in)); got != want {
			t.Errorf("ValidJSON(%q) = %v, want %v", in, got, want)
		}
	}
}
