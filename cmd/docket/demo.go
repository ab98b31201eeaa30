package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/auth"
	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/config"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/files"
	"github.com/docket/docket/internal/store"
)

// The demo dataset of `docket serve --demo`: the agency office, two labs, a
// user for every role, and a dozen cases over every state and band. Every
// case is built through the service's real use cases, back-dated through an
// injected clock, so the audit chain, the stored clocks and the history agree
// with what the pages show. The dataset is "living": it is placed relative to
// the moment the server starts, so its bands come out right whenever it is.

// demoPassword is every demo user's password. It is printed at start, so the
// demo must never run on a database that holds anything else.
const demoPassword = "docket-demo-password"

// demoHashParams is the password cost of the demo users; tests lower it.
var demoHashParams = auth.DefaultParams

const (
	demoAgency   = "Office of AI Model Review"
	demoFrontier = "Frontier Labs"
	demoMeridian = "Meridian AI"
	demoRequest  = "demo"
	demoClientIP = "127.0.0.1"
	// demoWindow is the review window the day offsets of demoCases are written for.
	demoWindow = 30
)

type demoUser struct {
	key   string
	role  docket.Role
	name  string
	email string
	org   string
}

// demoUsers lists the sign-ins, in the order they are printed. The first is
// the admin, created first; its e-mail marks a database as seeded.
var demoUsers = []demoUser{
	{"okafor", docket.RoleAdmin, "Daniel Okafor", "daniel.okafor@agency.example.gov", demoAgency},
	{"chen", docket.RoleReviewLead, "Margaret Chen", "margaret.chen@agency.example.gov", demoAgency},
	{"ortiz", docket.RoleReviewLead, "Samuel Ortiz", "samuel.ortiz@agency.example.gov", demoAgency},
	{"patel", docket.RoleReviewer, "Aisha Patel", "aisha.patel@agency.example.gov", demoAgency},
	{"weber", docket.RoleReviewer, "Jonas Weber", "jonas.weber@agency.example.gov", demoAgency},
	{"fernandes", docket.RoleReviewer, "Lucia Fernandes", "lucia.fernandes@agency.example.gov", demoAgency},
	{"kim", docket.RoleCompliance, "Robert Kim", "robert.kim@agency.example.gov", demoAgency},
	{"carter", docket.RoleLabMember, "Emily Carter", "emily.carter@frontierlabs.example", demoFrontier},
	{"brooks", docket.RoleLabMember, "Noah Brooks", "noah.brooks@frontierlabs.example", demoFrontier},
	{"sato", docket.RoleLabMember, "Hana Sato", "hana.sato@meridian.example", demoMeridian},
	{"lee", docket.RoleLabMember, "Marcus Lee", "marcus.lee@meridian.example", demoMeridian},
}

// demoFirstLead is the lead created as the command line creates one (a new
// deployment's first lead): it approves the other agency users the admin
// creates, since creating a reviewer or a lead takes a lead's approval.
const demoFirstLead = "chen"

// demoPending is the change the demo leaves waiting for a review lead: the
// admin asked, the afternoon before, to create this reviewer.
var (
	demoPending   = demoUser{"nair", docket.RoleReviewer, "Priya Nair", "priya.nair@agency.example.gov", demoAgency}
	demoPendingAt = demoDay(1, "16:40")
)

// demoAt is when a step happens: n days before today (agency zone) at a local
// time of day, or a number of minutes before now.
type demoAt struct {
	days    int
	hhmm    string
	minutes int
}

func demoDay(n int, hhmm string) demoAt { return demoAt{days: n, hhmm: hhmm} }
func demoMinutesAgo(n int) demoAt       { return demoAt{minutes: n} }

// demoStep is one use case run on a case, by the user named by key.
type demoStep struct {
	at   demoAt
	act  string // see demoSeeder.run
	who  string
	text string   // question, answer, rationale or reason
	ref  string   // the information request asked, answered or cancelled
	ids  []string // reviewers to assign
	arg  string   // the decision's outcome
	cond string   // the decision's conditions
	// score is a benchmark result's (see demo_review.go).
	score float64
}

// demoSteps builds steps, named as the lifecycle table names them; step is
// its only value, so that the table below reads step.submit(...).
type demoSteps struct{}

var step demoSteps

func (demoSteps) create(at demoAt, who string) demoStep {
	return demoStep{at: at, act: "create", who: who}
}

// createDraft files only the model's identity and summary; complete adds the rest.
func (demoSteps) createDraft(at demoAt, who string) demoStep {
	return demoStep{at: at, act: "create-draft", who: who}
}
func (demoSteps) complete(at demoAt, who string) demoStep {
	return demoStep{at: at, act: "edit", who: who}
}
func (demoSteps) submit(at demoAt, who string) demoStep {
	return demoStep{at: at, act: "submit", who: who}
}
func (demoSteps) assign(at demoAt, lead string, reviewers ...string) demoStep {
	return demoStep{at: at, act: "assign", who: lead, ids: reviewers}
}
func (demoSteps) attest(at demoAt, who string) demoStep {
	return demoStep{at: at, act: "attest", who: who}
}
func (demoSteps) ask(at demoAt, who, ref, question string) demoStep {
	return demoStep{at: at, act: "ask", who: who, ref: ref, text: question}
}
func (demoSteps) answer(at demoAt, who, ref, text string) demoStep {
	return demoStep{at: at, act: "answer", who: who, ref: ref, text: text}
}
func (demoSteps) cancel(at demoAt, who, ref string) demoStep {
	return demoStep{at: at, act: "cancel", who: who, ref: ref}
}
func (demoSteps) decide(at demoAt, lead, outcome, rationale, conditions string) demoStep {
	return demoStep{at: at, act: "decide", who: lead, arg: outcome, text: rationale, cond: conditions}
}
func (demoSteps) withdraw(at demoAt, who, reason string) demoStep {
	return demoStep{at: at, act: "withdraw", who: who, text: reason}
}

// record files the case's finding ref (see demoCase.findings) as a draft.
func (demoSteps) record(at demoAt, who, ref string) demoStep {
	return demoStep{at: at, act: "record", who: who, ref: ref}
}

// share shares finding ref; a TLP:RED one with the lab users named by key.
func (demoSteps) share(at demoAt, who, ref string, recipients ...string) demoStep {
	return demoStep{at: at, act: "share", who: who, ref: ref, ids: recipients}
}
func (demoSteps) respond(at demoAt, who, ref, response string) demoStep {
	return demoStep{at: at, act: "respond", who: who, ref: ref, text: response}
}

// resolve closes finding ref as resolved or risk_accepted, with a note.
func (demoSteps) resolve(at demoAt, lead, ref, resolution, note string) demoStep {
	return demoStep{at: at, act: "resolve", who: lead, ref: ref, arg: resolution, text: note}
}
func (demoSteps) comment(at demoAt, who, visibility, body string) demoStep {
	return demoStep{at: at, act: "comment", who: who, arg: visibility, text: body}
}

// attach uploads the demo document name (see demoDocument) to finding ref, or
// to the case when ref is "".
func (demoSteps) attach(at demoAt, who, ref, kind, name string) demoStep {
	return demoStep{at: at, act: "attach", who: who, ref: ref, arg: kind, text: name}
}

// demoFinding is a finding a reviewer records on a demo case; steps name it by ref.
type demoFinding struct {
	ref, title, category, severity, tlp, atlas, component, description, evidence string
}

// demoCase is one submission of the demo.
type demoCase struct {
	shows      string // what the case demonstrates
	lab        string
	model      string
	version    string
	modality   string
	deployment string
	flops      float64 // training compute; 0 = not given
	releaseIn  int     // planned release, days after today; 0 = none
	summary    string
	// band, when set, is the band the case shows at start. Its steps are
	// written for a 30-day window and move with review.window_days, then by a
	// day or two if a clock change would tip it over a threshold.
	band     clock.Band
	findings []demoFinding
	steps    []demoStep
	// entries are the Clearinghouse entries published from its findings (demo_review.go).
	entries []demoEntry
}

// demoCases are the demo's cases. Day offsets count back from today in the
// agency's zone; the steps of all cases run in time order, so case numbers
// follow receipt and the audit trail reads chronologically.
var demoCases = []demoCase{
	{
		shows: "a draft, visible to its lab only", lab: demoMeridian,
		model: "Meridian Sage", version: "3.0-rc1", modality: "text", deployment: "api",
		flops: 4.1e26, releaseIn: 75,
		summary: "Third-generation general assistant model with a 1M-token context window and native tool use. " +
			"Release candidate 1; the lab's internal cyber evaluations are still running.",
		steps: []demoStep{
			step.createDraft(demoDay(3, "14:20"), "sato"),
			step.complete(demoDay(1, "10:05"), "sato"),
		},
	},
	{
		shows: "just received, not yet assigned", lab: demoFrontier,
		model: "Frontier-5 Mini", version: "5.0-mini", modality: "text", deployment: "consumer_app",
		flops: 8.0e24, releaseIn: 60,
		summary: "Distilled, latency-optimised member of the Frontier-5 family for the consumer assistant app. " +
			"Shares Frontier-5's safety training; no code-execution tools enabled in the app.",
		steps: []demoStep{
			step.create(demoMinutesAgo(140), "brooks"),
			step.submit(demoMinutesAgo(12), "brooks"),
		},
	},
	{
		shows: "on track; a material change accepted with a clock restart (the cancelled request's stop is history)", lab: demoMeridian,
		model: "Meridian Vista", version: "1.5", modality: "multimodal", deployment: "enterprise",
		flops: 6.3e25, releaseIn: 40,
		summary: "Vision-language model for document and screenshot understanding, sold to enterprise customers " +
			"through a private deployment. Adds GUI-agent actions over Vista 1.0.",
		steps: []demoStep{
			step.create(demoDay(7, "11:00"), "lee"),
			step.submit(demoDay(5, "15:30"), "lee"),
			step.assign(demoDay(4, "09:10"), "ortiz", "fernandes", "weber"),
			step.attest(demoDay(4, "09:12"), "ortiz"),
			step.attest(demoDay(4, "10:45"), "fernandes"),
			step.attest(demoDay(3, "08:50"), "weber"),
			step.ask(demoDay(3, "11:00"), "fernandes", "q1",
				"Please send the red-team report for the image-borne prompt-injection suite referenced in section 4 of the system card."),
			step.cancel(demoDay(3, "14:30"), "fernandes", "q1"),
			step.amendDigest(demoDay(3, "16:00"), "lee", "a1", "rebuild",
				"Vision-language model for document and screenshot understanding, rebuilt on the fixed vision encoder; "+
					"the GUI-agent actions are unchanged from the first submission of 1.5."),
			step.resolveAmendment(demoDay(2, "10:00"), "ortiz", "a1", true,
				"The rebuilt weights are a different artifact from the ones submitted: the review starts again on them."),
			step.result(demoDay(1, "15:00"), "fernandes", "cyber-misuse-safeguards", 3.5, "agency"),
		},
	},
	{
		shows: "due soon", lab: demoFrontier, band: clock.DueSoon,
		model: "Frontier-5", version: "5.0", modality: "multimodal", deployment: "api",
		flops: 3.8e26, releaseIn: 21,
		summary: "Flagship multimodal model with extended reasoning and an agentic coding mode. The lab reports " +
			"solving 41% of professional-level CTF challenges in its own evaluation, up from 18% for Frontier-4.5.",
		findings: []demoFinding{
			{ref: "f1", title: "Autonomous exploit development against known-vulnerable services",
				category: "exploit_development", severity: "high", tlp: "TLP:AMBER", component: "agentic coding mode",
				description: "In agentic coding mode the model wrote working exploits for two n-day vulnerabilities in " +
					"self-hosted services, chaining reconnaissance, exploit writing and payload delivery without step-by-step help.",
				evidence: "Agency cyber range, runs 3-14: 7 of 12 chains succeeded; summary attached."},
			{ref: "f2", title: "Safeguard bypass through fictional framing",
				category: "safeguard_bypass", severity: "medium", tlp: "TLP:GREEN", atlas: "AML.T0054", component: "refusal policy",
				description: "Framing requests for malware as dialogue in a novel bypassed the refusal policy in 31% of " +
					"attempts, yielding functional keylogger code.",
				evidence: "Red-team set RT-7, 100 prompts."},
			{ref: "f3", title: "Checkpoint manifest exposes the signing-key path",
				category: "weights_security", severity: "critical", tlp: "TLP:RED", component: "weights distribution",
				description: "The checkpoint manifest submitted for review names the internal path of the key that signs " +
					"weight shards; with the build host's naming scheme it narrows the key's location to one machine.",
				evidence: "Manifest line 4."},
			{ref: "f4", title: "Verbose errors in the evaluation endpoint",
				category: "other", severity: "informational", tlp: "TLP:CLEAR", component: "evaluation API",
				description: "The evaluation endpoint returns stack traces naming internal service hosts.",
				evidence:    "Any malformed request."},
		},
		entries: []demoEntry{
			{ref: "f2", subject: "ai_system", name: "Refusal bypass through fictional framing",
				description: "Requests for malicious code framed as dialogue in a novel bypassed the model's refusal policy in " +
					"about a third of attempts, yielding working keyloggers.",
				action: "Deployers: watch for fiction-framed requests for malicious code; apply the lab's safety update when it ships.",
				dueIn:  60, notes: "Risk accepted by the agency until the lab's next safety-training run."},
		},
		steps: []demoStep{
			step.create(demoDay(28, "16:00"), "carter"),
			step.submit(demoDay(25, "09:40"), "carter"),
			step.attach(demoDay(25, "10:05"), "carter", "", "system_card", "Frontier-5 system card.pdf"),
			step.assign(demoDay(24, "10:00"), "chen", "patel", "weber"),
			step.attest(demoDay(24, "10:02"), "chen"),
			step.attest(demoDay(24, "13:15"), "patel"),
			step.attest(demoDay(23, "09:30"), "weber"),
			step.comment(demoDay(23, "11:00"), "chen", "internal",
				"Patel takes the exploit-development track; Weber takes safeguards and the weights handling."),
			step.result(demoDay(22, "11:00"), "patel", "ctf-professional", 41, "lab"),
			step.record(demoDay(21, "15:30"), "patel", "f1"),
			step.attach(demoDay(21, "15:40"), "patel", "f1", "evidence", "Exploit-development runs summary.md"),
			step.share(demoDay(20, "09:15"), "chen", "f1"),
			step.record(demoDay(20, "14:00"), "weber", "f2"),
			step.result(demoDay(18, "16:00"), "patel", "ctf-professional", 38, "agency"),
			step.result(demoDay(17, "12:00"), "patel", "exploit-dev-nday", 22.5, "agency"),
			step.result(demoDay(14, "10:00"), "weber", "cyber-misuse-safeguards", 12, "agency"),
			step.share(demoDay(19, "10:00"), "weber", "f2"),
			step.comment(demoDay(19, "10:30"), "chen", "shared",
				"Two findings are shared with you; please respond to each by the deadline it shows."),
			step.respond(demoDay(16, "17:20"), "carter", "f1",
				"We reproduced both chains. The exploit-code classifier now screens every tool call of the agentic coding "+
					"mode; the attached report has our re-test."),
			step.attach(demoDay(16, "17:25"), "carter", "f1", "eval_report", "Mitigation report - exploit classifier.pdf"),
			step.respond(demoDay(15, "12:00"), "brooks", "f2",
				"The fictional-framing bypass is known to us; the fix ships with the next safety-training run, after release."),
			step.resolve(demoDay(12, "10:00"), "chen", "f1", "resolved",
				"Agency re-test with the classifier on: 0 of 12 chains succeeded."),
			step.resolve(demoDay(11, "16:00"), "chen", "f2", "risk_accepted",
				"Little uplift over public jailbreaks; accepted until the next training run, tracked as a condition."),
			step.comment(demoDay(11, "16:05"), "carter", "shared",
				"Thank you. We will send the results of the next safety-training run when we have them."),
			step.publish(demoDay(10, "09:00"), "chen", "f2"),
			step.record(demoDay(8, "13:00"), "weber", "f3"),
			step.share(demoDay(7, "09:30"), "chen", "f3", "brooks"), // 3 days to respond: overdue now
			step.record(demoDay(4, "15:00"), "patel", "f4"),
		},
	},
	{
		shows: "critical: less than two days left", lab: demoMeridian, band: clock.Critical,
		model: "Meridian Coder", version: "2.0", modality: "code", deployment: "open_weights",
		flops: 9.5e25, releaseIn: 14,
		summary: "Open-weights code model (70B parameters) with repository-scale context. Weights to be published " +
			"under the Meridian community licence; fine-tuning can remove refusals, so the review weighs the base capability.",
		findings: []demoFinding{
			{ref: "m1", title: "Finds exploitable memory-safety bugs in C code at scale",
				category: "vulnerability_discovery", severity: "high", tlp: "TLP:AMBER+STRICT", component: "base model",
				description: "Given whole repositories, the base model located 14 previously unknown memory-safety bugs " +
					"in widely used C libraries, 5 of them exploitable, with no scaffolding beyond a compiler.",
				evidence: "Agency fuzz-comparison study, week 2."},
		},
		steps: []demoStep{
			step.create(demoDay(31, "10:30"), "sato"),
			step.submit(demoDay(29, "13:15"), "sato"),
			step.attach(demoDay(29, "13:30"), "sato", "", "model_card", "Meridian Coder 2.0 model card.md"),
			step.assign(demoDay(28, "09:00"), "ortiz", "patel"),
			step.attest(demoDay(28, "09:05"), "ortiz"),
			step.attest(demoDay(28, "11:40"), "patel"),
			step.result(demoDay(27, "10:00"), "patel", "vuln-discovery-memory-safety", 28, "agency"),
			step.record(demoDay(26, "11:00"), "patel", "m1"),
			step.result(demoDay(24, "14:00"), "patel", "exploit-speed", 75, "agency"),
			step.share(demoDay(25, "09:00"), "ortiz", "m1"),
			step.respond(demoDay(22, "16:00"), "sato", "m1",
				"Open weights make a refusal layer moot; we will coordinate disclosure of the bugs with their maintainers "+
					"before release and publish a responsible-use note."),
			step.comment(demoDay(22, "16:10"), "sato", "shared",
				"The maintainers of four of the five libraries have acknowledged the reports."),
		},
	},
	{
		shows: "lapsed: the window elapsed without a decision", lab: demoFrontier, band: clock.Overdue,
		model: "Frontier Code", version: "2.1", modality: "code", deployment: "api",
		flops: 1.2e26,
		summary: "Coding agent that plans, edits and runs code in a hosted sandbox. Version 2.1 adds network access " +
			"from the sandbox behind an allow-list.",
		steps: []demoStep{
			step.create(demoDay(37, "15:10"), "brooks"),
			step.submit(demoDay(35, "10:00"), "brooks"),
			step.assign(demoDay(33, "14:20"), "chen", "fernandes"),
			step.attest(demoDay(33, "14:22"), "chen"),
			step.attest(demoDay(32, "09:15"), "fernandes"),
		},
	},
	{
		shows: "paused on an open information request", lab: demoFrontier,
		model: "Frontier Operator", version: "1.0", modality: "multimodal", deployment: "consumer_app",
		flops: 2.2e26, releaseIn: 45,
		summary: "Computer-use agent that operates a browser and desktop on the user's behalf, built on Frontier-5. " +
			"Ships in the consumer app behind a waitlist.",
		steps: []demoStep{
			step.create(demoDay(13, "09:45"), "carter"),
			step.submit(demoDay(12, "11:20"), "carter"),
			step.assign(demoDay(11, "10:30"), "chen", "weber", "fernandes"),
			step.attest(demoDay(11, "10:31"), "chen"),
			step.attest(demoDay(11, "15:00"), "weber"),
			step.attest(demoDay(10, "09:20"), "fernandes"),
			step.ask(demoDay(3, "15:00"), "weber", "q1",
				"Describe the sandbox the agent's browser runs in: network egress rules, credential handling, and how "+
					"the agent is prevented from installing software. Include the results of your own escape testing."),
		},
	},
	{
		shows: "a stop that ended: the answered request moved the deadline six days later", lab: demoMeridian,
		model: "Meridian Sage", version: "2.1", modality: "text", deployment: "api",
		flops: 2.4e25, releaseIn: 30,
		summary: "Incremental update of Sage 2.0 with improved tool calling and a refreshed refusal policy for " +
			"offensive-security requests.",
		findings: []demoFinding{
			{ref: "s1", title: "Model found a heap overflow in a third-party HTTP/2 library",
				category: "vulnerability_discovery", severity: "medium", tlp: "TLP:CLEAR", component: "tool calling",
				description: "Asked to review a service's dependencies, the model found and triaged a heap overflow in the " +
					"HPACK decoder of an HTTP/2 library, with a crashing input.",
				evidence: "Agency run VD-12; crash reproducer attached to the upstream report."},
			{ref: "s2", title: "System prompt disclosed through tool output",
				category: "safeguard_bypass", severity: "low", tlp: "TLP:GREEN", atlas: "AML.T0051.000", component: "tool calling",
				description: "Instructions planted in a tool's output made the model print its system prompt.",
				evidence:    "Red-team set RT-3, prompts 4-9."},
		},
		entries: []demoEntry{
			{ref: "s1", subject: "third_party", name: "Heap overflow in the HPACK decoder of h2parse",
				description: "A crafted HEADERS frame overflows a heap buffer in the HPACK decoder; found by an AI model under review.",
				action:      "Upgrade h2parse to 1.9.2 or later.", dueIn: 30, vendor: "Example Networks",
				product: "h2parse 1.9", cve: "CVE-2026-51234",
				notes: "Demo data: the vendor, the product and the CVE id are fictional."},
			{ref: "s2", subject: "ai_system", name: "System prompt disclosure through planted tool output",
				description: "Instructions planted in a tool's output make the model reveal its system prompt.",
				action:      "Deployers: keep secrets out of system prompts; filter tool output.", dueIn: 45, redact: true},
		},
		steps: []demoStep{
			step.create(demoDay(21, "17:30"), "lee"),
			step.submit(demoDay(20, "09:00"), "lee"),
			step.assign(demoDay(19, "11:00"), "ortiz", "patel"),
			step.attest(demoDay(19, "11:02"), "ortiz"),
			step.attest(demoDay(19, "14:00"), "patel"),
			step.ask(demoDay(15, "10:30"), "patel", "q1",
				"Provide per-challenge results for the cyber-range CTF evaluation (Appendix C), including the runs "+
					"with the refusal policy disabled."),
			step.result(demoDay(16, "11:00"), "patel", "ctf-professional", 12, "agency"),
			// Cybench at 37.5%: high, two tiers above version 2.0's low, a capability jump.
			step.evaluate(demoDay(8, "15:00"), "patel", "inspect_evals/cybench", 0.375, "agency"),
			step.record(demoDay(14, "11:00"), "patel", "s1"),
			step.share(demoDay(13, "09:00"), "ortiz", "s1"),
			step.respond(demoDay(12, "10:00"), "lee", "s1",
				"The library's maintainers have the report; our own service is not affected."),
			step.answer(demoDay(9, "16:45"), "lee", "q1",
				"Per-challenge results are in the attached eval_report (sheet 3). With the policy disabled the model "+
					"solved 9 of 40 challenges, all in the easy tier."),
			step.resolve(demoDay(8, "10:00"), "ortiz", "s1", "resolved", "Upstream fix released; coordinated disclosure done."),
			step.publish(demoDay(7, "09:30"), "ortiz", "s1"),
			step.record(demoDay(6, "15:00"), "patel", "s2"),
			step.share(demoDay(5, "10:00"), "ortiz", "s2"),
			step.publish(demoDay(4, "11:00"), "ortiz", "s2"),
		},
	},
	{
		shows: "a release conflict, and a new weights digest pending: no decision until a lead resolves it", lab: demoFrontier,
		model: "Frontier-4.5 Turbo", version: "4.5.2", modality: "text", deployment: "api",
		flops: 2.0e26, releaseIn: 7,
		summary: "Cost-reduced serving configuration of Frontier-4.5 with speculative decoding; same weights lineage, " +
			"new post-training for lower refusal rates on benign security questions.",
		steps: []demoStep{
			step.create(demoDay(19, "12:00"), "brooks"),
			step.submit(demoDay(18, "14:00"), "brooks"),
			step.assign(demoDay(17, "09:30"), "chen", "weber"),
			step.attest(demoDay(17, "09:31"), "chen"),
			step.attest(demoDay(17, "16:10"), "weber"),
			step.result(demoDay(10, "13:00"), "weber", "exploit-dev-nday", 8, "agency"),
			step.amendDigest(demoDay(2, "17:45"), "brooks", "a1", "hotfix", ""),
		},
	},
	{
		shows: "decided: mitigations requested", lab: demoFrontier,
		model: "Frontier-4.5", version: "4.5.0", modality: "multimodal", deployment: "api",
		flops: 2.0e26, releaseIn: -5,
		summary: "General-purpose multimodal model, successor to Frontier-4. Adds long-horizon agentic tasks and " +
			"a code-execution tool in the API.",
		steps: []demoStep{
			step.create(demoDay(50, "10:00"), "carter"),
			step.submit(demoDay(48, "10:00"), "carter"),
			step.assign(demoDay(47, "09:00"), "chen", "patel", "fernandes"),
			step.attest(demoDay(47, "09:02"), "chen"),
			step.attest(demoDay(47, "11:30"), "patel"),
			step.attest(demoDay(46, "10:00"), "fernandes"),
			step.result(demoDay(42, "11:00"), "patel", "ctf-professional", 18, "agency"),
			step.ask(demoDay(40, "14:00"), "patel", "q1",
				"Which safeguards run on the code-execution tool's outputs, and what is their measured bypass rate?"),
			step.answer(demoDay(37, "11:15"), "carter", "q1",
				"A classifier screens tool outputs for exploit code; bypass rate 6.5% on our internal adversarial set. "+
					"Details in the updated system card."),
			step.decide(demoDay(20, "17:00"), "chen", "mitigations_requested",
				"Agency testing reproduced exploit development against two known-vulnerable services with the "+
					"code-execution tool enabled. The lab's output classifier blocked most attempts, but its bypass rate "+
					"under agency red-teaming was higher than reported. Release may proceed with the conditions below.",
				"Enable the exploit-code classifier on every API tier, including enterprise; report classifier bypass "+
					"rates to the agency monthly for six months."),
		},
	},
	{
		shows: "decided: no concerns", lab: demoMeridian,
		model: "Meridian Sage", version: "2.0", modality: "text", deployment: "api",
		flops:   1.9e25,
		summary: "Second-generation general assistant model. Text only; no tool use in the public API.",
		steps: []demoStep{
			step.create(demoDay(63, "09:30"), "sato"),
			step.submit(demoDay(60, "10:15"), "sato"),
			step.assign(demoDay(59, "09:00"), "ortiz", "weber"),
			step.attest(demoDay(59, "09:01"), "ortiz"),
			step.attest(demoDay(59, "13:40"), "weber"),
			step.result(demoDay(45, "10:00"), "weber", "ctf-professional", 9, "agency"),
			step.result(demoDay(40, "10:00"), "weber", "exploit-dev-nday", 2, "agency"),
			step.decide(demoDay(36, "15:30"), "ortiz", "no_concerns",
				"Cyber-capability benchmark results are below the elevated tier on every agency benchmark, and "+
					"red-teaming found no uplift over publicly available tools.", ""),
		},
	},
	{
		shows: "withdrawn by the lab; its open request was closed", lab: demoMeridian,
		model: "Meridian Echo", version: "0.9", modality: "other", deployment: "consumer_app",
		flops:   3.0e24,
		summary: "Real-time speech-to-speech model for a voice assistant, with voice cloning from short samples.",
		steps: []demoStep{
			step.create(demoDay(17, "13:00"), "lee"),
			step.submit(demoDay(16, "10:30"), "lee"),
			step.assign(demoDay(15, "09:45"), "ortiz", "fernandes"),
			step.attest(demoDay(15, "09:46"), "ortiz"),
			step.attest(demoDay(15, "14:20"), "fernandes"),
			step.ask(demoDay(10, "11:00"), "fernandes", "q1",
				"What prevents the model from cloning a voice without the speaker's consent, e.g. to defeat voice-based "+
					"authentication?"),
			step.withdraw(demoDay(6, "11:00"), "lee",
				"Release plans changed: the model will be retrained with consent verification and resubmitted as Echo 1.0."),
		},
	},
}

// demoClock is the seeding service's clock, set before each step.
type demoClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *demoClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *demoClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// seedDemo fills an empty database with the demo dataset and prints the
// sign-ins. On a database it seeded before, it prints them again; on any other
// database that is not empty, it seeds nothing.
func seedDemo(ctx context.Context, svc *app.Services, st *store.Store, cfg config.Config, e env, base string) error {
	seeded, empty, err := demoState(ctx, st)
	if err != nil {
		return err
	}
	switch {
	case seeded:
		printDemo(ctx, e.Stdout, svc, st, base, "The demo data was already there; the sign-ins below still work.")
		return nil
	case !empty:
		fmt.Fprintln(e.Stdout, "Demo: the database already holds users or organisations that are not the demo's; "+
			"nothing was seeded. Use --demo with a new, empty database.")
		return nil
	}
	now := clock.Ms(e.Now())
	sec, err := secret(cfg)
	if err != nil {
		return err
	}
	clk := &demoClock{t: now}
	signer, err := auth.NewSigner(sec, cfg.Auth.Issuer, clk.Now)
	if err != nil {
		return err
	}
	approvals := app.NewApprovals(st, app.ApprovalOptions{Now: clk.Now})
	seedSvc := app.New(st, app.Options{Config: cfg, Now: clk.Now, Hasher: auth.NewHasher(demoHashParams),
		Signer: signer, Logger: newLogger(cfg, io.Discard), Secret: sec, Benchmarks: svc.Evidence.Benchmarks(), Approvals: approvals,
		Files: files.New(cfg.AttachmentsDir())})
	s := &demoSeeder{ctx: ctx, svc: seedSvc, approvals: approvals, clk: clk, now: now, loc: cfg.Location(),
		window: cfg.Review.WindowDays, th: svc.Cases.Thresholds(), users: map[string]*docket.User{}}
	if err := s.seed(); err != nil {
		return err
	}
	printDemo(ctx, e.Stdout, svc, st, base, fmt.Sprintf("Seeded the demo: the agency office and two labs, %d users, %d cases.",
		len(demoUsers), len(demoCases)))
	return nil
}

// demoState reports whether the demo admin exists, and whether the database
// holds no user and no organisation at all.
func demoState(ctx context.Context, st *store.Store) (seeded, empty bool, err error) {
	err = st.Read(ctx, func(tx app.Tx) error {
		_, err := tx.Users().UserByEmail(demoUsers[0].email)
		switch docket.ErrorCode(err) {
		case "":
			seeded = true
			return nil
		case docket.ENotFound:
		default:
			return err
		}
		users, _, err := tx.Users().ListUsers(app.UserFilter{}, app.Page{Limit: 1})
		if err != nil {
			return err
		}
		orgs, _, err := tx.Users().ListOrgs(app.Page{Limit: 1})
		empty = len(users) == 0 && len(orgs) == 0
		return err
	})
	return seeded, empty, err
}

// demoSeeder runs the dataset through the seeding service.
type demoSeeder struct {
	ctx       context.Context
	svc       *app.Services
	approvals *app.Approvals
	clk       *demoClock
	now       time.Time // the real start instant; the demo clock never passes it
	loc       *time.Location
	window    int
	th        clock.Thresholds
	users     map[string]*docket.User
}

// seededCase is a demo case while it is being built.
type seededCase struct {
	spec  *demoCase
	shift int // days every step moves back
	id    string
	reqs  map[string]string // request label → id
	finds map[string]string // finding ref → id
	// amends maps amendment labels to ids.
	amends map[string]string
}

type plannedStep struct {
	at   time.Time
	c    *seededCase
	step demoStep
}

func (s *demoSeeder) seed() error {
	if err := s.seedUsers(); err != nil {
		return err
	}
	var plan []plannedStep
	for i := range demoCases {
		c := &seededCase{spec: &demoCases[i], reqs: map[string]string{}, finds: map[string]string{}, amends: map[string]string{}}
		c.shift = s.shiftFor(c.spec)
		for _, st := range c.spec.steps {
			plan = append(plan, plannedStep{at: s.instant(st.at, c.shift), c: c, step: st})
		}
	}
	// The change left waiting, in its place in time (c nil: about no case).
	plan = append(plan, plannedStep{at: s.instant(demoPendingAt, 0), step: demoStep{act: "request-reviewer", who: demoUsers[0].key}})
	sort.SliceStable(plan, func(i, j int) bool { return plan[i].at.Before(plan[j].at) })
	for _, p := range plan {
		s.clk.set(p.at)
		if p.c == nil {
			if err := s.requestPending(p.step); err != nil {
				return fmt.Errorf("%s: %w", p.step.act, err)
			}
			continue
		}
		if err := s.run(p.c, p.step); err != nil {
			return fmt.Errorf("%s %s: %s: %w", p.c.spec.model, p.c.spec.version, p.step.act, err)
		}
	}
	return nil
}

// requestPending has the admin ask for demoPending, which waits for a review lead.
func (s *demoSeeder) requestPending(st demoStep) error {
	ch, err := s.svc.Accounts.CreateUser(s.ctx, s.actor(st.who), app.NewUser{Email: demoPending.email, Name: demoPending.name,
		Role: string(demoPending.role), OrgID: s.users[st.who].OrgID, Password: demoPassword})
	if err == nil && ch.Pending == nil {
		err = fmt.Errorf("creating %s did not wait for approval", demoPending.email)
	}
	return err
}

// seedUsers creates the admin (and with it the agency office) and the first
// lead as the command line does, then the labs and every other user as that
// admin; the first lead approves the reviewers and the other lead.
func (s *demoSeeder) seedUsers() error {
	at := s.instant(demoDay(70, "09:00"), 0)
	tick := func() { s.clk.set(at); at = at.Add(3 * time.Minute) }
	tick()
	first := demoUsers[0]
	admin, err := s.svc.Accounts.CreateUserCLI(s.ctx, first.email, first.name, string(first.role), first.org, docket.OrgKindAgency, demoPassword)
	if err != nil {
		return fmt.Errorf("user %s: %w", first.email, err)
	}
	s.users[first.key] = admin
	orgs := map[string]string{demoAgency: admin.OrgID}
	for _, name := range []string{demoFrontier, demoMeridian} {
		tick()
		o, err := s.svc.Accounts.CreateOrg(s.ctx, s.actor(first.key), name, docket.OrgKindLab)
		if err != nil {
			return fmt.Errorf("organisation %s: %w", name, err)
		}
		orgs[name] = o.ID
	}
	for _, u := range demoUsers[1:] {
		tick()
		created, err := s.seedUser(u, orgs[u.org])
		if err != nil {
			return fmt.Errorf("user %s: %w", u.email, err)
		}
		s.users[u.key] = created
	}
	return nil
}

// seedUser creates one user: the first lead as the command line does, any
// other as the admin, a reviewer or a lead approved by the first lead a
// minute later.
func (s *demoSeeder) seedUser(u demoUser, orgID string) (*docket.User, error) {
	if u.key == demoFirstLead {
		return s.svc.Accounts.CreateUserCLI(s.ctx, u.email, u.name, string(u.role), u.org, docket.OrgKindAgency, demoPassword)
	}
	ch, err := s.svc.Accounts.CreateUser(s.ctx, s.actor(demoUsers[0].key), app.NewUser{Email: u.email, Name: u.name,
		Role: string(u.role), OrgID: orgID, Password: demoPassword})
	if err != nil || ch.Pending == nil {
		return ch.User, err
	}
	s.clk.set(s.clk.Now().Add(time.Minute))
	ap, err := s.approvals.Approve(s.ctx, s.actor(demoFirstLead), ch.Pending.ID)
	if err != nil {
		return nil, err
	}
	return s.svc.Accounts.Me(s.ctx, docket.Actor{UserID: ap.UserID})
}

func (s *demoSeeder) actor(key string) docket.Actor {
	u := s.users[key]
	if u == nil {
		panic("demo: no user " + key) // a mistake in the tables above
	}
	return docket.Actor{UserID: u.ID, Role: u.Role, OrgID: u.OrgID, OrgKind: u.Org.Kind,
		RequestID: demoRequest, ClientIP: demoClientIP}
}

// instant places a step shift days further back, never later than now.
func (s *demoSeeder) instant(at demoAt, shift int) time.Time {
	var t time.Time
	if at.hhmm == "" {
		t = s.now.Add(-time.Duration(at.minutes)*time.Minute).AddDate(0, 0, -shift)
	} else {
		var hh, mm int
		fmt.Sscanf(at.hhmm, "%d:%d", &hh, &mm)
		d := clock.DateOf(s.now, s.loc).AddDays(-at.days - shift)
		t = time.Date(d.Year, d.Month, d.Day, hh, mm, 0, 0, s.loc)
	}
	if t.After(s.now) {
		t = s.now
	}
	return clock.Ms(t)
}

// shiftFor moves a case whose band depends on its receipt with the configured
// window, then by up to two days when a daylight-saving change near now would
// put it in another band.
func (s *demoSeeder) shiftFor(c *demoCase) int {
	if c.band == "" {
		return 0
	}
	var submitted demoAt
	for _, st := range c.steps {
		if st.act == "submit" {
			submitted = st.at
		}
	}
	base := s.window - demoWindow
	for _, extra := range []int{0, 1, -1, 2, -2} {
		received := s.instant(submitted, base+extra)
		left := clock.BaseDue(received, s.window, s.loc).Sub(s.now)
		if clock.BandFor(left, false, false, s.th) == c.band {
			return base + extra
		}
	}
	return base
}

// run performs one step through the service.
func (s *demoSeeder) run(c *seededCase, st demoStep) error {
	a := s.actor(st.who)
	sp := c.spec
	var err error
	switch st.act {
	case "create", "create-draft":
		in := s.input(c)
		if st.act == "create-draft" {
			in = docket.CaseInput{ModelName: in.ModelName, ModelVersion: in.ModelVersion, Modality: in.Modality,
				Summary: in.Summary}
		}
		var v *app.CaseView
		if v, err = s.svc.Cases.CreateCase(s.ctx, a, in); err == nil {
			c.id = v.Case.ID
			if v.Case.OrgName != "" && v.Case.OrgName != sp.lab {
				err = fmt.Errorf("filed by %s of %s, not %s", st.who, v.Case.OrgName, sp.lab)
			}
		}
	case "edit":
		_, err = s.svc.Cases.UpdateCase(s.ctx, a, c.id, s.input(c))
	case "submit":
		_, err = s.svc.Cases.SubmitCase(s.ctx, a, c.id)
	case "assign":
		ids := make([]string, len(st.ids))
		for i, k := range st.ids {
			ids[i] = s.actor(k).UserID
		}
		_, err = s.svc.Cases.Assign(s.ctx, a, c.id, ids, a.UserID)
	case "attest":
		_, err = s.svc.Cases.Attest(s.ctx, a, c.id)
	case "ask":
		var r *docket.InfoRequest
		if r, err = s.svc.Cases.RequestInfo(s.ctx, a, c.id, st.text); err == nil {
			c.reqs[st.ref] = r.ID
		}
	case "answer":
		_, err = s.svc.Cases.AnswerInfoRequest(s.ctx, a, c.reqs[st.ref], st.text)
	case "cancel":
		_, err = s.svc.Cases.CancelInfoRequest(s.ctx, a, c.reqs[st.ref])
	case "decide":
		in := app.DecisionInput{Outcome: st.arg, Rationale: st.text}
		if st.cond != "" {
			in.Conditions = &st.cond
		}
		_, err = s.svc.Cases.Decide(s.ctx, a, c.id, in)
	case "withdraw":
		_, err = s.svc.Cases.Withdraw(s.ctx, a, c.id, st.text)
	case "record":
		var v *app.FindingView
		if v, err = s.svc.Findings.CreateFinding(s.ctx, a, c.id, s.findingInput(c, st.ref)); err == nil {
			c.finds[st.ref] = v.Finding.ID
		}
	case "share":
		var ids []string
		for _, k := range st.ids {
			ids = append(ids, s.actor(k).UserID)
		}
		_, err = s.svc.Findings.ShareFinding(s.ctx, a, c.finds[st.ref], ids)
	case "respond":
		_, err = s.svc.Findings.RespondFinding(s.ctx, a, c.finds[st.ref], st.text)
	case "resolve":
		until := ""
		if st.arg == string(docket.FindingRiskAccepted) {
			// It expires within the demo's first two weeks: the warning is already due.
			until = clock.DateOf(s.now, s.loc).AddDays(10).String()
		}
		_, err = s.svc.Findings.ResolveFinding(s.ctx, a, c.finds[st.ref], st.arg, st.text, until)
	case "comment":
		_, err = s.svc.Findings.CreateComment(s.ctx, a, c.id, st.text, st.arg)
	case "attach":
		err = s.attach(c, a, st)
	default:
		var handled bool
		if handled, err = s.runReview(c, st, a); !handled {
			err = fmt.Errorf("unknown step %q", st.act)
		}
	}
	return err
}

// findingInput is the case's finding ref as a reviewer records it.
func (s *demoSeeder) findingInput(c *seededCase, ref string) docket.FindingInput {
	for _, f := range c.spec.findings {
		if f.ref != ref {
			continue
		}
		str := func(v string) *string { return &v }
		in := docket.FindingInput{Title: str(f.title), Description: str(f.description), Category: str(f.category),
			Severity: str(f.severity), TLP: str(f.tlp), Evidence: str(f.evidence), Component: str(f.component)}
		if f.atlas != "" {
			in.AtlasTechnique = str(f.atlas)
		}
		return in
	}
	panic("demo: no finding " + ref) // a mistake in the tables above
}

// attach uploads a demo document through the same use cases as the API.
func (s *demoSeeder) attach(c *seededCase, a docket.Actor, st demoStep) error {
	target := app.AttachTarget{CaseID: c.id}
	if st.ref != "" {
		target = app.AttachTarget{FindingID: c.finds[st.ref]}
	}
	if err := s.svc.Findings.CheckAttach(s.ctx, a, target); err != nil {
		return err
	}
	up, err := s.svc.Findings.StageUpload(bytes.NewReader(demoDocument(st.text)), st.text)
	if err != nil {
		return err
	}
	_, err = s.svc.Findings.CreateAttachment(s.ctx, a, target, st.arg, up)
	return err
}

// demoDocument is the content of a demo attachment: a one-page PDF for a
// .pdf name, Markdown otherwise.
func demoDocument(name string) []byte {
	title := strings.TrimSuffix(strings.TrimSuffix(name, ".pdf"), ".md")
	if !strings.HasSuffix(name, ".pdf") {
		return []byte("# " + title + "\n\nDemo document of the Docket demo dataset. Nothing in it is real.\n\n" +
			"| run | result |\n| --- | --- |\n| 1 | reproduced |\n| 2 | reproduced |\n")
	}
	text := strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`).Replace(title)
	stream := "BT /F1 14 Tf 72 720 Td (" + text + ") Tj 0 -24 Td (Docket demo document. Nothing in it is real.) Tj ET"
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(stream), stream),
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.Bytes()
}

// input is everything the lab files about the case.
func (s *demoSeeder) input(c *seededCase) docket.CaseInput {
	sp := c.spec
	str := func(v string) *string { return &v }
	in := docket.CaseInput{ModelName: str(sp.model), ModelVersion: str(sp.version), Summary: str(sp.summary),
		WeightsDigest: str(demoDigest(sp.model, sp.version)), Modality: str(sp.modality), Deployment: str(sp.deployment)}
	if sp.flops > 0 {
		f := sp.flops
		in.TrainingComputeFLOPs = &f
	}
	if sp.releaseIn != 0 {
		in.PlannedReleaseDate = str(clock.DateOf(s.now, s.loc).AddDays(sp.releaseIn).String())
	}
	return in
}

// demoDigest is a stable, well-formed weights digest for a model.
func demoDigest(model, version string) string {
	sum := sha256.Sum256([]byte("demo weights manifest: " + model + " " + version))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// printDemo prints the address, the sign-ins, how to get a token, and the
// cases as they stand now.
func printDemo(ctx context.Context, w io.Writer, svc *app.Services, st *store.Store, base, status string) {
	fmt.Fprintf(w, "\nDocket demo at %s\n%s\n\n", base, status)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  ROLE\tNAME\tORGANISATION\tE-MAIL\tPASSWORD")
	for _, u := range demoUsers {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", u.role, u.name, u.org, u.email, demoPassword)
	}
	tw.Flush()
	lead := demoUsers[1]
	fmt.Fprintf(w, "\nSign in at %s/login, or get an API token:\n  curl -s -X POST %s/api/v1/auth/token -H 'Content-Type: application/json' -d '{\"email\":\"%s\",\"password\":\"%s\"}'\n",
		base, base, lead.email, demoPassword)
	fmt.Fprintf(w, "\nThe Clearinghouse is at %s/clearinghouse. A decided case's page offers its signed statement; check one with:\n  docket statement verify FILE --jwks %s/.well-known/jwks.json\n",
		base, base)
	fmt.Fprintf(w, "\nThe administrator's changes that take two wait for a review lead at %s/approvals; the demo left one there.\n", base)
	printDemoCases(ctx, w, svc, st)
	fmt.Fprintln(w)
}

// printDemoCases lists every case of the two labs as their members see it now.
// It is a courtesy: if the demo users were changed since, it prints nothing.
func printDemoCases(ctx context.Context, w io.Writer, svc *app.Services, st *store.Store) {
	var rows []*app.CaseView
	for _, key := range []string{"carter", "sato"} {
		var u *docket.User
		for _, du := range demoUsers {
			if du.key == key {
				_ = st.Read(ctx, func(tx app.Tx) error {
					var err error
					u, err = tx.Users().UserByEmail(du.email)
					return err
				})
			}
		}
		if u == nil || u.Disabled || u.Role != docket.RoleLabMember {
			return
		}
		a := docket.Actor{UserID: u.ID, Role: u.Role, OrgID: u.OrgID, OrgKind: u.Org.Kind, RequestID: demoRequest, ClientIP: demoClientIP}
		views, _, err := svc.Cases.ListCases(ctx, a, app.CaseFilter{}, app.Page{Limit: 200})
		if err != nil {
			return
		}
		rows = append(rows, views...)
	}
	sort.SliceStable(rows, func(i, j int) bool {
		ni, nj := rows[i].Case.Number, rows[j].Case.Number
		if (ni == "") != (nj == "") {
			return ni == ""
		}
		return ni < nj
	})
	fmt.Fprintf(w, "\nCases (%d):\n", len(rows))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  NUMBER\tLAB\tMODEL\tSTATUS\tBAND\tDUE (UTC)\t")
	for _, v := range rows {
		c := v.Case
		number, band, due := c.Number, "", ""
		if number == "" {
			number = "(draft)"
		}
		if v.Clock != nil {
			band, due = string(v.Clock.Band), v.Clock.DueAt.Format("2006-01-02 15:04")
			if v.Clock.ReleaseConflict {
				band += ", release conflict"
			}
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s %s\t%s\t%s\t%s\t\n", number, c.OrgName, c.ModelName, c.ModelVersion,
			c.Status, band, due)
	}
	tw.Flush()
}
