package docket

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// AttachmentKinds are the kinds of document a case or finding carries.
// eval_log is an Inspect log (.eval or .json), which may be imported as an evaluation.
var AttachmentKinds = []string{"model_card", "system_card", "eval_report", "evidence", "eval_log", "other"}

// MaxAttachmentName bounds a cleaned file name, in characters.
const MaxAttachmentName = 200

// The content types an attachment may have, decided from its content.
const (
	TypePDF      = "application/pdf"
	TypeText     = "text/plain; charset=utf-8"
	TypeMarkdown = "text/markdown; charset=utf-8"
	TypeCSV      = "text/csv; charset=utf-8"
	TypeJSON     = "application/json"
)

// Attachment is a document kept for a case or one of its findings. The bytes
// live under a generated name; Name is the client's name, cleaned, as metadata.
type Attachment struct {
	ID          string
	CaseID      string
	FindingID   string // "" for a case's own attachment
	Name        string
	Kind        string
	Size        int64
	ContentType string
	SHA256      string // lowercase hex
	UploadedBy  string
	CreatedAt   time.Time
}

// Digest returns the content's digest as shown: sha256: and the hex.
func (a *Attachment) Digest() string { return "sha256:" + a.SHA256 }

// CleanFileName turns a client's file name into safe display metadata: the
// part after the last / or \, without control characters, NUL or bidirectional
// controls, trimmed, at most MaxAttachmentName characters; "attachment" when
// nothing is left (or only dots).
func CleanFileName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	var b strings.Builder
	n := 0
	for _, r := range strings.ToValidUTF8(name, "") {
		if r == utf8.RuneError || unicode.IsControl(r) || isBidiControl(r) || unicode.Is(unicode.Cf, r) {
			continue
		}
		if n == MaxAttachmentName {
			break
		}
		b.WriteRune(r)
		n++
	}
	out := strings.TrimSpace(b.String())
	if strings.Trim(out, ".") == "" {
		return "attachment"
	}
	return out
}

// isBidiControl reports the characters that reorder text: the embeddings,
// overrides and isolates, and the directional marks.
func isBidiControl(r rune) bool {
	switch {
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
		return true
	case r == 0x200E, r == 0x200F, r == 0x061C:
		return true
	}
	return false
}

// sniffHead is how many leading bytes the sniffer keeps to recognise a type.
const sniffHead = 512

// Sniffer watches an upload stream by and decides its type from the content
// alone: a PDF, or UTF-8 text without NUL (plain, Markdown, CSV, JSON); HTML,
// XML, scripts, executables, archives and anything else are refused. It never
// holds more than its head and a partial character.
type Sniffer struct {
	head    []byte
	pending []byte // an incomplete UTF-8 sequence at the end of the last write
	text    bool   // still valid UTF-8 without NUL
	n       int64
}

// NewSniffer returns a sniffer that has seen nothing yet.
func NewSniffer() *Sniffer { return &Sniffer{text: true} }

// Write implements io.Writer; it never fails.
func (s *Sniffer) Write(p []byte) (int, error) {
	s.n += int64(len(p))
	if len(s.head) < sniffHead {
		k := min(sniffHead-len(s.head), len(p))
		s.head = append(s.head, p[:k]...)
	}
	if !s.text {
		return len(p), nil
	}
	data := p
	if len(s.pending) > 0 {
		data = append(append([]byte{}, s.pending...), p...)
		s.pending = nil
	}
	cut := len(data)
	// Hold back a character split across writes.
	for i := len(data) - 1; i >= 0 && i >= len(data)-utf8.UTFMax; i-- {
		if utf8.RuneStart(data[i]) {
			if !utf8.FullRune(data[i:]) {
				cut = i
			}
			break
		}
	}
	if !utf8.Valid(data[:cut]) || bytes.IndexByte(data[:cut], 0) >= 0 {
		s.text = false
		return len(p), nil
	}
	s.pending = append(s.pending, data[cut:]...)
	return len(p), nil
}

// Sniffed is the verdict of a sniffer: the content type, or why it is refused.
type Sniffed struct {
	ContentType string
	// MaybeJSON says the text may be JSON; the caller confirms with ValidJSON.
	MaybeJSON bool
}

var execMagic = [][]byte{
	[]byte("\x7fELF"),
	{0xfe, 0xed, 0xfa, 0xce}, {0xfe, 0xed, 0xfa, 0xcf}, {0xce, 0xfa, 0xed, 0xfe}, {0xcf, 0xfa, 0xed, 0xfe},
	{0xca, 0xfe, 0xba, 0xbe}, // Mach-O universal (and Java classes)
	[]byte("\x00asm"),        // WebAssembly
}

var archiveMagic = [][]byte{
	[]byte("PK\x03\x04"), []byte("PK\x05\x06"), {0x1f, 0x8b}, []byte("BZh"), []byte("Rar!\x1a\x07"),
	{'7', 'z', 0xbc, 0xaf, 0x27, 0x1c}, {0xfd, '7', 'z', 'X', 'Z', 0x00}, {0x28, 0xb5, 0x2f, 0xfd},
}

func unsupported(msg string) *Error { return &Error{Code: EUnsupported, Message: msg} }

// Result decides the type once the whole content has been written. name is
// the cleaned client name; its extension only chooses among the text types the
// content already satisfies. A refused content is a 415, an empty one a 422.
func (s *Sniffer) Result(name string) (Sniffed, error) {
	h := s.head
	if s.n == 0 {
		return Sniffed{}, Unacceptable("file", "is empty")
	}
	if bytes.HasPrefix(h, []byte("%PDF-")) {
		return Sniffed{ContentType: TypePDF}, nil
	}
	for _, m := range execMagic {
		if bytes.HasPrefix(h, m) {
			return Sniffed{}, unsupported("executables are not accepted: send a PDF, plain text, Markdown, JSON or CSV")
		}
	}
	for _, m := range archiveMagic {
		if bytes.HasPrefix(h, m) {
			return Sniffed{}, unsupported("archives are not accepted: send a PDF, plain text, Markdown, JSON or CSV")
		}
	}
	if bytes.HasPrefix(h, []byte("MZ")) && !s.isText() {
		return Sniffed{}, unsupported("executables are not accepted: send a PDF, plain text, Markdown, JSON or CSV")
	}
	if len(h) >= 262 && bytes.Equal(h[257:262], []byte("ustar")) {
		return Sniffed{}, unsupported("archives are not accepted: send a PDF, plain text, Markdown, JSON or CSV")
	}
	if !s.isText() {
		return Sniffed{}, unsupported("the content is not an accepted type: send a PDF, or plain text, Markdown, JSON or CSV in UTF-8")
	}
	body := bytes.TrimLeft(bytes.TrimPrefix(h, []byte("\xef\xbb\xbf")), " \t\r\n\f")
	if bytes.HasPrefix(body, []byte("#!")) {
		return Sniffed{}, unsupported("scripts are not accepted")
	}
	if isMarkup(body) {
		return Sniffed{}, unsupported("HTML and XML are not accepted")
	}
	ext := strings.ToLower(path.Ext(name))
	maybeJSON := len(body) > 0 && (body[0] == '{' || body[0] == '[') || ext == ".json"
	switch ext {
	case ".md", ".markdown":
		return Sniffed{ContentType: TypeMarkdown}, nil
	case ".csv":
		return Sniffed{ContentType: TypeCSV}, nil
	}
	return Sniffed{ContentType: TypeText, MaybeJSON: maybeJSON}, nil
}

// IsZip reports whether the content starts as a ZIP file does (an Inspect
// .eval log is one; Result refuses it as an archive).
func (s *Sniffer) IsZip() bool { return bytes.HasPrefix(s.head, []byte("PK\x03\x04")) }

// isText reports whether everything written is UTF-8 text without NUL.
func (s *Sniffer) isText() bool { return s.text && len(s.pending) == 0 }

// isMarkup reports content a browser would take for HTML, XML or SVG.
func isMarkup(body []byte) bool {
	ct := http.DetectContentType(body)
	if strings.HasPrefix(ct, "text/html") || strings.HasPrefix(ct, "text/xml") {
		return true
	}
	lower := bytes.ToLower(body[:min(len(body), 64)])
	for _, p := range []string{"<svg", "<?xml", "<!doctype", "<html", "<script"} {
		if bytes.HasPrefix(lower, []byte(p)) {
			return true
		}
	}
	return false
}

// ValidJSON reports whether r holds exactly one JSON value, reading it as a
// stream of tokens so that memory stays small.
func ValidJSON(r io.Reader) bool {
	dec := json.NewDecoder(r)
	depth := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return depth == 0 && dec.InputOffset() > 0
		}
		if err != nil {
			return false
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			// One complete value; nothing but space may follow.
			if _, err := dec.Token(); err != io.EOF {
				return false
			}
			return true
		}
	}
}
