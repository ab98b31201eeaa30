package web_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/docket/docket/internal/config"
)

// The case page's findings, comments and attachments, as each role sees
// them, and their forms.

// workCase is a case in review with a finding in every state, a TLP:RED one
// shared with lab2 alone, comments of both visibilities and attachments.
type workCase struct {
	id                                       string
	draft, shared, responded, resolved, risk string
	red                                      string
}

// titled is a finding body with its own title.
func titled(title, severity, tlp string) map[string]any {
	b := findingBody(severity, tlp)
	b["title"] = title
	return b
}

func (w *world) workCase() workCase {
	w.t.Helper()
	f := w.caseIn("in_review")
	c := workCase{id: f.caseID}
	c.draft = w.finding(c.id, "rev", "draft", titled("Draft: jailbreak via role-play", "high", "TLP:AMBER"))
	c.shared = w.finding(c.id, "lead", "shared", titled("Shared: sandbox escape", "critical", "TLP:GREEN"))
	c.responded = w.finding(c.id, "rev", "lab_responded", titled("Responded: weights exposed in logs", "medium", "TLP:AMBER"))
	c.resolved = w.finding(c.id, "rev", "resolved", titled("Resolved: CTF uplift", "low", "TLP:CLEAR"))
	c.risk = w.finding(c.id, "rev", "risk_accepted", titled("Accepted: exploit chain hints", "informational", "TLP:AMBER+STRICT"))
	c.red = w.finding(c.id, "lead", "shared", titled("Red: zero-day in a vendor router", "critical", "TLP:RED"), w.users["lab2"].ID)
	want(w.t, w.as("rev", "POST", "/api/v1/cases/"+c.id+"/comments", map[string]any{"body": "Internal: the scaffolding looks thin.", "visibility": "internal"}), 201)
	want(w.t, w.as("lead", "POST", "/api/v1/cases/"+c.id+"/comments", map[string]any{"body": "Shared: please send the red-team logs.", "visibility": "shared"}), 201)
	want(w.t, w.as("lab", "POST", "/api/v1/cases/"+c.id+"/comments", map[string]any{"body": "Lab: logs are on their way.", "visibility": "shared"}), 201)
	want(w.t, w.upload("lab", "/api/v1/cases/"+c.id+"/attachments", "model_card", "model-card.md", []byte("# Model card\n")), 201)
	want(w.t, w.upload("lead", "/api/v1/findings/"+c.shared+"/attachments", "evidence", "escape-transcript.txt", []byte("turn 1: ls /\n")), 201)
	want(w.t, w.upload("lead", "/api/v1/findings/"+c.red+"/attachments", "evidence", "router-poc.txt", []byte("payload\n")), 201)
	return c
}

// findingStatus reads a finding's status through the API, as the lead.
func (w *world) findingStatus(id string) string {
	w.t.Helper()
	r := w.as("lead", "GET", "/api/v1/findings/"+id, nil)
	want(w.t, r, 200)
	return r.JSON()["status"].(string)
}

func (w *world) count(user, path string) int {
	w.t.Helper()
	r := w.as(user, "GET", path, nil)
	want(w.t, r, 200)
	return len(r.JSON()["items"].([]any))
}

// multipartForm builds a page upload: the CSRF token first (unless ""), then
// the kind (unless ""), then the file (unless name is "").
func multipartForm(token, kind, name string, content []byte, tokenLast bool) (string, []byte) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	tok := func() {
		if token != "" {
			_ = mw.WriteField("csrf_token", token)
		}
	}
	if !tokenLast {
		tok()
	}
	if kind != "" {
		_ = mw.WriteField("kind", kind)
	}
	if name != "" {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="file"; filename="`+name+`"`)
		h.Set("Content-Type", "application/octet-stream")
		part, _ := mw.CreatePart(h)
		_, _ = part.Write(content)
	}
	if tokenLast {
		tok()
	}
	_ = mw.Close()
	return mw.FormDataContentType(), buf.Bytes()
}

// uploadPage posts a multipart form as the browser would from the page at from.
func (b *browser) uploadPage(from, path, kind, name string, content []byte) page {
	b.ts.t.Helper()
	ct, body := multipartForm(b.get(from).csrf(), kind, name, content, false)
	return b.raw(http.MethodPost, path, ct, body)
}

func (b *browser) raw(method, path, contentType string, body []byte) page {
	b.ts.t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	for _, c := range b.cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	rec := httptest.NewRecorder()
	b.ts.h.ServeHTTP(rec, req)
	return page{Code: rec.Code, Header: rec.Header(), Body: rec.Body.String(), Location: rec.Header().Get("Location"), t: b.ts.t}
}

func TestCasePageWorkForEveryRole(t *testing.T) {
	w := newWorld(t)
	c := w.workCase()
	w.addUser("lead2", "review_lead", "Agency")
	titles := map[string]string{"draft": "Draft: jailbreak via role-play", "shared": "Shared: sandbox escape",
		"responded": "Responded: weights exposed in logs", "resolved": "Resolved: CTF uplift",
		"risk": "Accepted: exploit chain hints", "red": "Red: zero-day in a vendor router"}
	all := []string{titles["draft"], titles["shared"], titles["responded"], titles["resolved"], titles["risk"], titles["red"]}
	sharedOnes := []string{titles["shared"], titles["responded"], titles["resolved"], titles["risk"]}
	internal, sharedNote, labNote := "Internal: the scaffolding looks thin.", "Shared: please send the red-team logs.", "Lab: logs are on their way."
	cases := []struct {
		user       string
		status     int
		show, hide []string
	}{
		{"lab", 200,
			append(append([]string{}, sharedOnes...), "Findings", "Shared, awaiting the lab", "Lab responded", "Resolved",
				"Risk accepted", "Your response to this finding", "Send the response", sharedNote, labNote,
				"model-card.md", "escape-transcript.txt", "sha256:", "Attach a document to the case",
				"Post the comment", "The review team"),
			[]string{titles["draft"], titles["red"], "router-poc.txt", internal, "Record a finding", "Close the finding",
				"Share the finding", "Internal, agency only", "Who reads it"}},
		{"lab2", 200, []string{titles["red"], "router-poc.txt", titles["shared"]},
			[]string{titles["draft"], internal}},
		{"rev", 200,
			append(append([]string{}, all...), "Record a finding", "Share the finding", internal, sharedNote, labNote,
				"Internal, agency only", "Who reads it", "router-poc.txt", "TLP:RED, only for", "lab2", "Draft"),
			[]string{"Close the finding", "Your response to this finding"}},
		{"lead", 200,
			append(append([]string{}, all...), "Record a finding", "Close the finding", "Share the finding",
				"Resolved: the lab fixed it", "Risk accepted: it stays", internal, "Fixed in 2.1."),
			[]string{"Your response to this finding"}},
		{"co", 200, []string{"Findings", "by severity and state", "Critical", "Informational", "Risk accepted"},
			append(append([]string{}, all...), internal, sharedNote, labNote, "model-card.md", "escape-transcript.txt",
				"Record a finding", "Comments", "Documents", "SHA-256")},
		{"lead2", 200, []string{"Attest no conflict of interest"},
			append(append([]string{}, all...), internal, sharedNote, "model-card.md", "Record a finding", "Comments")},
		{"rev2", 404, []string{"Page not found"}, append(append([]string{}, all...), internal, "model-card.md")},
		{"rival", 404, []string{"Page not found"}, append(append([]string{}, all...), internal, "model-card.md")},
		{"admin", 404, []string{"Page not found"}, append(append([]string{}, all...), internal, "model-card.md")},
	}
	for _, tc := range cases {
		t.Run(tc.user, func(t *testing.T) {
			p := w.pageAs(tc.user).get("/cases/" + c.id)
			wantPage(t, p, tc.status)
			p.has(t, tc.show...)
			txt := p.text()
			for _, h := range tc.hide {
				if strings.Contains(txt, h) {
					t.Errorf("%s sees %q", tc.user, h)
				}
			}
			if strings.Contains(p.Body, "style=") || strings.Contains(p.Body, "<script>") {
				t.Fatal("inline style or script")
			}
		})
	}
	// The compliance officer's counts: two critical (the shared and the red one), one of each other severity.
	p := w.pageAs("co").get("/cases/" + c.id)
	m := regexp.MustCompile(`(?s)sev-critical">Critical</span></th>(.*?)</tr>`).FindStringSubmatch(p.Body)
	if m == nil || !strings.Contains(m[1], "<strong>2</strong>") {
		t.Fatalf("the critical row: %v", m)
	}
	p.has(t, "All 1 2 1 1 1 6")
}

func TestRecordAFindingThroughThePage(t *testing.T) {
	w := newWorld(t)
	id := w.caseIn("in_review").caseID
	rev := w.pageAs("rev")
	list := "/api/v1/cases/" + id + "/findings"

	// Every error at once, beside its field, the input kept, nothing written.
	r := rev.post("/cases/"+id, "/cases/"+id+"/findings", url.Values{"title": {""}, "description": {"  "},
		"category": {""}, "severity": {"bogus"}, "tlp": {""}, "atlas_technique": {"T1234<b>"},
		"component": {"code tool"}, "evidence": {"Kept evidence"}, "embargo_until": {"2026-02-30"}})
	wantPage(t, r, 422)
	r.has(t, "There is a problem with the finding", "The title is required.", "The description is required.",
		"Choose the category.", "The severity must be one of critical", "Choose the tlp label.",
		"The ATLAS technique must be a MITRE ATLAS technique id", "The embargo date must be a date YYYY-MM-DD.")
	for _, f := range []string{"title", "description", "category", "severity", "tlp", "atlas_technique", "embargo_until"} {
		if !strings.Contains(r.Body, `id="e-nf-`+f+`"`) || !strings.Contains(r.Body, `e-nf-`+f+`" aria-invalid="true"`) {
			t.Errorf("no error tied to the field %s", f)
		}
	}
	for _, kept := range []string{`value="T1234&lt;b&gt;"`, `value="code tool"`, ">Kept evidence</textarea>", `value="2026-02-30"`} {
		if !strings.Contains(r.Body, kept) {
			t.Errorf("the input is not kept: %s", kept)
		}
	}
	if n := w.count("lead", list); n != 0 {
		t.Fatalf("%d findings written", n)
	}

	// A good one, then shared with the lab.
	r = rev.post("/cases/"+id, "/cases/"+id+"/findings", url.Values{"title": {"Sandbox escape"},
		"description": {"Chained two tool calls."}, "category": {"exploit_development"}, "severity": {"high"},
		"tlp": {"TLP:AMBER"}, "atlas_technique": {"AML.T0051.000"}, "component": {"code tool"},
		"evidence": {"Transcript 14."}, "embargo_until": {"2026-12-01"}})
	wantPage(t, r, 303)
	if !strings.Contains(r.Location, "?done=finding#finding-") {
		t.Fatalf("redirect %q", r.Location)
	}
	p := rev.get(strings.Split(r.Location, "#")[0])
	p.has(t, "The finding is recorded as a draft", "Sandbox escape", "AML.T0051.000", "2026-12-01", "Not shared yet",
		"must respond within 7 days")
	fid := regexp.MustCompile(`/findings/([0-9a-f-]{36})/share`).FindStringSubmatch(p.Body)[1]
	w.pageAs("lab").get("/cases/"+id).hasNot(t, "Sandbox escape")
	r = rev.post("/cases/"+id, "/findings/"+fid+"/share", nil)
	wantPage(t, r, 303)
	rev.get(strings.Split(r.Location, "#")[0]).has(t, "The finding is shared with the lab.", "Shared, awaiting the lab")
	w.pageAs("lab").get("/cases/"+id).has(t, "Sandbox escape", "Your response to this finding")

	// Others may not: a lab records nothing (403), the compliance officer neither, a stranger sees nothing (404).
	wantPage(t, w.pageAs("lab").post("/cases/"+id, "/cases/"+id+"/findings", url.Values{"title": {"X"}}), 403)
	wantPage(t, w.pageAs("co").post("/cases/"+id, "/cases/"+id+"/findings", url.Values{"title": {"X"}}), 403)
	wantPage(t, w.pageAs("rival").post("/", "/cases/"+id+"/findings", url.Values{"title": {"X"}}), 404)
	// A lead who has not attested is told so (409), and the form's errors wait.
	w.addUser("lead2", "review_lead", "Agency")
	r = w.pageAs("lead2").post("/cases/"+id, "/cases/"+id+"/findings", url.Values{"title": {""}})
	wantPage(t, r, 409)
	r.has(t, "Attest no conflict of interest first")
	if n := w.count("lead", list); n != 1 {
		t.Fatalf("%d findings", n)
	}
}

// TestEditADraftFindingThroughThePage: the author (or a lead) edits a draft
// on the case page; errors come back beside the edit form's fields with the
// input kept and nothing saved; once shared the draft has no edit form, and
// others may not edit it.
func TestEditADraftFindingThroughThePage(t *testing.T) {
	w := newWorld(t)
	id := w.caseIn("in_review").caseID
	fid := w.finding(id, "rev", "draft", titled("Jailbreak via role-play", "high", "TLP:AMBER"))
	rev := w.pageAs("rev")
	p := rev.get("/cases/" + id)
	p.has(t, "Edit the draft")
	if !strings.Contains(p.Body, `id="ef-`+fid+`-title" name="title" type="text" value="Jailbreak via role-play"`) {
		t.Fatal("the edit form does not hold the draft's title")
	}
	good := url.Values{"title": {"Jailbreak via nested role-play"}, "description": {"Three nested personas."},
		"category": {"safeguard_bypass"}, "severity": {"critical"}, "tlp": {"TLP:AMBER"}, "atlas_technique": {"AML.T0054"},
		"component": {"chat"}, "evidence": {"Transcript 3."}, "embargo_until": {""}}
	bad := url.Values{}
	for k, v := range good {
		bad[k] = v
	}
	bad.Set("title", "")
	bad.Set("atlas_technique", "T0054")
	r := rev.post("/cases/"+id, "/findings/"+fid+"/edit", bad)
	wantPage(t, r, 422)
	r.has(t, "There is a problem with the finding", "The title is required.", "The ATLAS technique must be a MITRE ATLAS technique id")
	for _, f := range []string{"title", "atlas_technique"} {
		if !strings.Contains(r.Body, `id="e-ef-`+fid+`-`+f+`"`) {
			t.Errorf("no error tied to the edit form's field %s", f)
		}
	}
	if !strings.Contains(r.Body, ">Three nested personas.</textarea>") {
		t.Error("the input is not kept")
	}
	get := func() map[string]any {
		t.Helper()
		res := w.as("lead", "GET", "/api/v1/findings/"+fid, nil)
		want(t, res, 200)
		return res.JSON()
	}
	if f := get(); f["title"] != "Jailbreak via role-play" || f["severity"] != "high" {
		t.Fatalf("a failed edit saved something: %v", f)
	}

	r = rev.post("/cases/"+id, "/findings/"+fid+"/edit", good)
	wantPage(t, r, 303)
	if !strings.Contains(r.Location, "?done=edited#finding-"+fid) {
		t.Fatalf("redirect %q", r.Location)
	}
	rev.get(strings.Split(r.Location, "#")[0]).has(t, "The draft finding is saved.", "Jailbreak via nested role-play")
	if f := get(); f["title"] != "Jailbreak via nested role-play" || f["severity"] != "critical" || f["category"] != "safeguard_bypass" ||
		f["atlas_technique"] != "AML.T0054" {
		t.Fatalf("the edit did not save: %v", f)
	}

	// A reviewer who did not write it may not (403); an unassigned reviewer
	// and another lab see nothing (404); once shared there is nothing to edit (409).
	w.addUser("rev3", "reviewer", "Agency")
	want(t, w.as("lead", "POST", "/api/v1/cases/"+id+"/assign", map[string]any{
		"reviewer_ids": []string{w.users["rev"].ID, w.users["rev2"].ID}, "lead_id": w.users["lead"].ID}), 200)
	want(t, w.as("rev2", "POST", "/api/v1/cases/"+id+"/attest-no-conflict", nil), 200)
	rev2 := w.pageAs("rev2")
	rev2.get("/cases/"+id).hasNot(t, "Edit the draft")
	wantPage(t, rev2.post("/cases/"+id, "/findings/"+fid+"/edit", good), 403)
	wantPage(t, w.pageAs("rev3").post("/", "/findings/"+fid+"/edit", good), 404)
	wantPage(t, w.pageAs("rival").post("/", "/findings/"+fid+"/edit", good), 404)
	want(t, w.as("lead", "POST", "/api/v1/findings/"+fid+"/share", map[string]any{}), 200)
	p = rev.get("/cases/" + id)
	p.hasNot(t, "Edit the draft")
	wantPage(t, rev.post("/cases/"+id, "/findings/"+fid+"/edit", good), 409)
}

func TestShareRespondResolveThroughThePages(t *testing.T) {
	w := newWorld(t)
	id := w.caseIn("in_review").caseID
	red := w.finding(id, "rev", "draft", titled("Router zero-day", "critical", "TLP:RED"))
	lead, lab, lab2 := w.pageAs("lead"), w.pageAs("lab"), w.pageAs("lab2")

	// TLP:RED: the recipient picker lists the lab's users; sharing with nobody is refused beside the picker.
	p := lead.get("/cases/" + id)
	p.has(t, "Share only with these people at Frontier Labs", "lab", "lab2")
	if strings.Contains(p.text(), "rival") {
		t.Fatal("another lab's user is offered as a recipient")
	}
	r := lead.post("/cases/"+id, "/findings/"+red+"/share", nil)
	wantPage(t, r, 422)
	r.has(t, "A TLP:RED finding must name the lab users it is shared with.")
	if !strings.Contains(r.Body, `id="e-share-`+red+`"`) {
		t.Fatal("the error is not beside the picker")
	}
	if w.findingStatus(red) != "draft" {
		t.Fatal("shared anyway")
	}
	// Another lab's user is refused, the choice kept.
	r = lead.post("/cases/"+id, "/findings/"+red+"/share", url.Values{"recipient_ids": {w.users["lab2"].ID, w.users["rival"].ID}})
	wantPage(t, r, 422)
	r.has(t, "is not an active member of the case's lab")
	if !regexp.MustCompile(`value="` + w.users["lab2"].ID + `" checked`).MatchString(r.Body) {
		t.Fatal("the recipients chosen are not kept")
	}
	r = lead.post("/cases/"+id, "/findings/"+red+"/share", url.Values{"recipient_ids": {w.users["lab2"].ID}})
	wantPage(t, r, 303)
	lab.get("/cases/"+id).hasNot(t, "Router zero-day")
	p = lab2.get("/cases/" + id)
	p.has(t, "Router zero-day", "Your response to this finding")
	wantPage(t, lab.post("/cases/"+id, "/findings/"+red+"/respond", url.Values{"response": {"Us too."}}), 404)

	// The lab's response: empty is refused beside the field; then sent.
	r = lab2.post("/cases/"+id, "/findings/"+red+"/respond", url.Values{"response": {"   "}})
	wantPage(t, r, 422)
	r.has(t, "The response is required.")
	if !strings.Contains(r.Body, `id="e-response-`+red+`"`) {
		t.Fatal("the error is not beside the response")
	}
	r = lab2.post("/cases/"+id, "/findings/"+red+"/respond", url.Values{"response": {"Patched in firmware 4.2."}})
	wantPage(t, r, 303)
	lab2.get(strings.Split(r.Location, "#")[0]).has(t, "Your response is sent.", "Lab responded", "Patched in firmware 4.2.")
	// Twice: the state says no (409, on the case page).
	r = lab2.post("/cases/"+id, "/findings/"+red+"/respond", url.Values{"response": {"Again."}})
	wantPage(t, r, 409)
	r.has(t, "The finding is lab_responded")

	// Resolving: reviewers may not (403); both fields' errors at once; then closed.
	wantPage(t, w.pageAs("rev").post("/cases/"+id, "/findings/"+red+"/resolve", url.Values{"resolution": {"resolved"}, "note": {"x"}}), 403)
	r = lead.post("/cases/"+id, "/findings/"+red+"/resolve", url.Values{"resolution": {"fixed"}, "note": {""}})
	wantPage(t, r, 422)
	r.has(t, "Choose whether the finding is resolved or its risk accepted.", "The note is required.")
	r = lead.post("/cases/"+id, "/findings/"+red+"/resolve", url.Values{"resolution": {"risk_accepted"}, "note": {"Vendor patch pending."},
		"accepted_until": {w.clock.Now().AddDate(0, 3, 0).Format("2006-01-02")}})
	wantPage(t, r, 303)
	lead.get(strings.Split(r.Location, "#")[0]).has(t, "The finding is closed.", "Risk accepted", "Vendor patch pending.")
	if w.findingStatus(red) != "risk_accepted" {
		t.Fatal("not closed")
	}
}

func TestCommentsThroughThePages(t *testing.T) {
	w := newWorld(t)
	id := w.caseIn("in_review").caseID
	rev, lab := w.pageAs("rev"), w.pageAs("lab")
	comments := "/api/v1/cases/" + id + "/comments"

	r := rev.post("/cases/"+id, "/cases/"+id+"/comments", url.Values{"body": {""}, "visibility": {"internal"}})
	wantPage(t, r, 422)
	r.has(t, "The comment is required.")
	r = rev.post("/cases/"+id, "/cases/"+id+"/comments", url.Values{"body": {"Kept text"}, "visibility": {"public"}})
	wantPage(t, r, 422)
	r.has(t, "The visibility must be internal or shared.")
	if !strings.Contains(r.Body, ">Kept text</textarea>") {
		t.Fatal("the comment is lost")
	}
	wantPage(t, rev.post("/cases/"+id, "/cases/"+id+"/comments", url.Values{"body": {"Agency eyes only."}, "visibility": {"internal"}}), 303)
	wantPage(t, rev.post("/cases/"+id, "/cases/"+id+"/comments", url.Values{"body": {"Dear lab, thanks."}, "visibility": {"shared"}}), 303)
	// A lab's form has no choice: its comments are shared; asking for internal is refused.
	p := lab.get("/cases/" + id)
	p.has(t, "Dear lab, thanks.")
	p.hasNot(t, "Agency eyes only.", `name="visibility" value="internal"`)
	r = lab.post("/cases/"+id, "/cases/"+id+"/comments", url.Values{"body": {"Secret?"}, "visibility": {"internal"}})
	wantPage(t, r, 422)
	r.has(t, "A lab posts shared comments only.")
	r = lab.post("/cases/"+id, "/cases/"+id+"/comments", url.Values{"body": {"Thanks back."}, "visibility": {"shared"}})
	wantPage(t, r, 303)
	lab.get(strings.Split(r.Location, "#")[0]).has(t, "Your comment is posted.", "Thanks back.")
	if n := w.count("lead", comments); n != 3 {
		t.Fatalf("%d comments", n)
	}
	// Compliance officers neither read nor write comments.
	wantPage(t, w.pageAs("co").post("/cases/"+id, "/cases/"+id+"/comments", url.Values{"body": {"x"}, "visibility": {"shared"}}), 403)
}

func TestAttachmentsThroughThePages(t *testing.T) {
	w := newWorld(t)
	c := w.workCase()
	lab, lead := w.pageAs("lab"), w.pageAs("lead")
	rows := w.attachmentRows(c.id)
	files := len(w.attachmentFiles())

	// An upload to the case, then one to a finding.
	r := lab.uploadPage("/cases/"+c.id, "/cases/"+c.id+"/attachments", "system_card", "system card.pdf", samplePDF)
	wantPage(t, r, 303)
	p := lab.get(strings.Split(r.Location, "#")[0])
	p.has(t, "The file is attached.", "system card.pdf", "System card", fmt.Sprintf("%d bytes", len(samplePDF)), "sha256:"+sha256Hex(samplePDF))
	r = lead.uploadPage("/cases/"+c.id, "/findings/"+c.responded+"/attachments", "evidence", "log.txt", []byte("line\n"))
	wantPage(t, r, 303)
	if !strings.HasSuffix(r.Location, "#finding-"+c.responded) {
		t.Fatalf("redirect %q", r.Location)
	}
	if got := w.attachmentRows(c.id); got != rows+2 {
		t.Fatalf("%d rows, want %d", got, rows+2)
	}
	rows += 2

	// Refusals beside the file field; nothing kept.
	for _, tc := range []struct {
		kind, name string
		content    []byte
		code       int
		say        string
	}{
		{"evidence", "page.pdf", []byte("<!doctype html><script>alert(1)</script>"), 415, "HTML and XML are not accepted."},
		{"evidence", "empty.txt", nil, 422, "The file is empty."},
		{"", "note.txt", []byte("hi\n"), 422, "The kind of document is required"},
		{"selfie", "note.txt", []byte("hi\n"), 422, "The kind of document must be one of"},
		{"evidence", "", nil, 422, "The file is required"},
	} {
		r := lab.uploadPage("/cases/"+c.id, "/cases/"+c.id+"/attachments", tc.kind, tc.name, tc.content)
		wantPage(t, r, tc.code)
		r.has(t, tc.say)
		if !strings.Contains(r.Body, `id="e-case-file"`) && !strings.Contains(r.Body, `id="e-case-kind"`) {
			t.Errorf("%s: the error is not beside the upload form's fields", tc.say)
		}
	}
	// A finding closed takes no more files (409); a finding the lab cannot see is not there (404).
	r = lab.uploadPage("/cases/"+c.id, "/findings/"+c.resolved+"/attachments", "evidence", "late.txt", []byte("x\n"))
	wantPage(t, r, 409)
	r.has(t, "The finding is resolved")
	wantPage(t, lab.uploadPage("/cases/"+c.id, "/findings/"+c.red+"/attachments", "evidence", "x.txt", []byte("x\n")), 404)
	wantPage(t, w.pageAs("co").uploadPage("/cases/"+c.id, "/cases/"+c.id+"/attachments", "evidence", "x.txt", []byte("x\n")), 403)
	if got := w.attachmentRows(c.id); got != rows {
		t.Fatalf("%d rows after refusals, want %d", got, rows)
	}
	if got := len(w.attachmentFiles()); got != files+2 {
		t.Fatalf("%d files after refusals, want %d", got, files+2)
	}

	// Downloads: as an attachment, nosniff, for those who may read it.
	p = lab.get("/cases/" + c.id)
	href := regexp.MustCompile(`href="(/attachments/[0-9a-f-]{36})" download>escape-transcript.txt`).FindStringSubmatch(p.Body)
	if href == nil {
		t.Fatal("no download link")
	}
	d := lab.get(href[1])
	wantPage(t, d, 200)
	if d.Body != "turn 1: ls /\n" || !strings.HasPrefix(d.Header.Get("Content-Disposition"), "attachment;") ||
		d.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(d.Header.Get("Cache-Control"), "no-store") {
		t.Fatalf("download: %q %v", d.Body, d.Header)
	}
	redHref := regexp.MustCompile(`href="(/attachments/[0-9a-f-]{36})" download>router-poc.txt`).FindStringSubmatch(w.pageAs("lab2").get("/cases/" + c.id).Body)
	if redHref == nil {
		t.Fatal("lab2 has no link to the TLP:RED evidence")
	}
	wantPage(t, w.pageAs("lab2").get(redHref[1]), 200)
	for user, code := range map[string]int{"lab": 404, "rival": 404, "admin": 404, "rev2": 404, "co": 403, "rev": 200, "lead": 200} {
		p := w.pageAs(user).get(redHref[1])
		if p.Code != code {
			t.Errorf("%s downloads the TLP:RED evidence: %d, want %d", user, p.Code, code)
		}
		if code != 200 && strings.Contains(p.Body, "payload") {
			t.Errorf("%s: the refusal carries the content", user)
		}
	}
	// An altered file is never served.
	for _, name := range w.attachmentFiles() {
		if strings.HasSuffix(href[1], name) {
			corrupt(t, w, name)
		}
	}
	wantPage(t, lab.get(href[1]), 500)
}

func TestWorkFormsNeedTheirToken(t *testing.T) {
	w := newWorld(t)
	c := w.workCase()
	lab, lead := w.pageAs("lab"), w.pageAs("lead")
	other := w.pageAs("lab2").get("/").csrf()
	comments := w.count("lead", "/api/v1/cases/"+c.id+"/comments")
	findings := w.count("lead", "/api/v1/cases/"+c.id+"/findings")
	rows := w.attachmentRows(c.id)
	files := len(w.attachmentFiles())
	for _, tc := range []struct {
		b      *browser
		path   string
		fields url.Values
	}{
		{lead, "/cases/" + c.id + "/findings", url.Values{"title": {"X"}, "description": {"x"}, "category": {"other"}, "severity": {"low"}, "tlp": {"TLP:CLEAR"}}},
		{lead, "/findings/" + c.draft + "/share", nil},
		{lead, "/findings/" + c.draft + "/edit", url.Values{"title": {"Forged"}, "description": {"x"}, "category": {"other"}, "severity": {"low"}, "tlp": {"TLP:CLEAR"}}},
		{lab, "/findings/" + c.shared + "/respond", url.Values{"response": {"Forged."}}},
		{lead, "/findings/" + c.responded + "/resolve", url.Values{"resolution": {"resolved"}, "note": {"x"}}},
		{lab, "/cases/" + c.id + "/comments", url.Values{"body": {"Forged."}, "visibility": {"shared"}}},
		{lab, "/cases/" + c.id + "/attachments", url.Values{"kind": {"other"}}},
	} {
		for name, tok := range map[string]string{"no token": "", "another session's": other} {
			f := url.Values{}
			for k, v := range tc.fields {
				f[k] = v
			}
			if tok != "" {
				f.Set("csrf_token", tok)
			}
			p := tc.b.do(http.MethodPost, tc.path, f)
			if p.Code != 403 || !strings.Contains(p.Body, "did not come from Docket") {
				t.Errorf("%s with %s: %d", tc.path, name, p.Code)
			}
		}
	}
	// Uploads: without the token, with another's, or with the token after the file.
	good := lab.get("/cases/" + c.id).csrf()
	for name, form := range map[string][2]any{"no token": {"", false}, "another session's": {other, false}, "token after the file": {good, true}} {
		ct, body := multipartForm(form[0].(string), "evidence", "forged.txt", []byte("forged\n"), form[1].(bool))
		for _, path := range []string{"/cases/" + c.id + "/attachments", "/findings/" + c.shared + "/attachments"} {
			if p := lab.raw(http.MethodPost, path, ct, body); p.Code != 403 {
				t.Errorf("upload to %s with %s: %d", path, name, p.Code)
			}
		}
	}
	if got := w.count("lead", "/api/v1/cases/"+c.id+"/comments"); got != comments {
		t.Errorf("comments %d → %d", comments, got)
	}
	if got := w.count("lead", "/api/v1/cases/"+c.id+"/findings"); got != findings {
		t.Errorf("findings %d → %d", findings, got)
	}
	for id, st := range map[string]string{c.draft: "draft", c.shared: "shared", c.responded: "lab_responded"} {
		if got := w.findingStatus(id); got != st {
			t.Errorf("finding %s is %s, want %s", id, got, st)
		}
	}
	if got := w.attachmentRows(c.id); got != rows {
		t.Errorf("attachment rows %d → %d", rows, got)
	}
	if got := len(w.attachmentFiles()); got != files {
		t.Errorf("attachment files %d → %d", files, got)
	}
}

// corrupt alters an attachment's file behind Docket's back.
func corrupt(t *testing.T, w *world, id string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(w.cfg.DataDir, "attachments", id), []byte("altered\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func TestPageUploadOverTheLimit(t *testing.T) {
	w := newWorld(t, func(c *config.Config) { c.Uploads.MaxBytes = 1024 })
	id := w.caseIn("in_review").caseID
	lab := w.pageAs("lab")
	r := lab.uploadPage("/cases/"+id, "/cases/"+id+"/attachments", "evidence", "big.txt", bytes.Repeat([]byte("a"), 4096))
	wantPage(t, r, 413)
	r.has(t, "The file is larger than the upload limit.")
	if !strings.Contains(r.Body, `<option value="evidence" selected>`) {
		t.Fatal("the kind chosen is lost")
	}
	if !strings.Contains(r.Body, `id="e-case-file"`) {
		t.Fatal("the error is not beside the file field")
	}
	if n := w.attachmentRows(id); n != 0 {
		t.Fatalf("%d rows", n)
	}
	if files := w.attachmentFiles(); len(files) != 0 {
		t.Fatalf("files left: %v", files)
	}
	wantPage(t, lab.uploadPage("/cases/"+id, "/cases/"+id+"/attachments", "evidence", "small.txt", []byte("small\n")), 303)
}
