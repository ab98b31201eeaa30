package app

import (
	"context"
	"sort"
	"strconv"
	"time"

	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/docket"
)

// The daily digest. A notification held back from e-mail (Mail
// docket.EmailDigest: an escalation's repeat, or anything for a user who
// chose the digest) waits for its recipient's next digest, which carries
// every such notification made before the digest's instant and since their
// previous digest. Compliance officers get a digest every day; anyone else
// on a day something waits for them. What is held and what carries it are
// both read from the outbox, so the forecast and the sweep agree, and a
// digest that is sent again says the same.

// digestLookback bounds how far back a digest looks for what it carries.
const digestLookback = 8 * 24 * time.Hour

// digests returns the digests due from yesterday's to the horizon's, each
// recipient's marked with what it carries: compliance officers every day,
// anyone else when something waits for them before the digest's instant:
// held in the outbox and carried by no digest yet, or held among will (the
// notifications the rules will make, each at its instant or at now,
// whichever is later).
func (p *planner) digests(will []Occurrence) ([]Occurrence, error) {
	uncovered, err := p.tx.Notifications().UncoveredHeld(p.now.Add(-digestLookback))
	if err != nil {
		return nil, err
	}
	waiting := map[string]bool{} // recipient → something waits before the next digest
	type held struct {
		recipient string
		made      time.Time
	}
	var later []held
	for r, at := range uncovered {
		later = append(later, held{r, at})
	}
	for _, o := range will {
		if o.Mail == docket.EmailDigest {
			later = append(later, held{o.RecipientID, maxTime(o.At, p.now)})
		}
	}
	sort.Slice(later, func(i, j int) bool { return later[i].made.Before(later[j].made) })
	saved := p.out
	p.out = nil
	for d := clock.DateOf(p.now, p.loc).AddDays(-1); ; d = d.AddDays(1) {
		at := p.atLocal(d, p.s.notify.DigestTime)
		if at.After(p.until) {
			break
		}
		for len(later) > 0 && later[0].made.Before(at) {
			waiting[later[0].recipient] = true
			later = later[1:]
		}
		recipients := ids(p.co)
		for r := range waiting {
			if p.active[r] {
				recipients = append(recipients, r)
			}
		}
		recipients = unique(recipients)
		sort.Strings(recipients)
		for _, r := range recipients {
			// One series per recipient: the day is in the deadline, so the key is the local date's.
			p.add(docket.RuleDigest, docket.KindDigest, "digest", "daily", nil, at, at, at, "daily", 0, []string{r})
			p.out[len(p.out)-1].Mail = docket.DigestMail(p.choice[r], waiting[r])
			delete(waiting, r)
		}
	}
	out := p.out
	p.out = saved
	return out, nil
}

// firstMessages mails on its own the first message of an escalation that
// each recipient gets, even when it is a repeat (after downtime, or for a
// recipient who joined after it began): only what follows a message the
// recipient had waits for the digest. occ is what will be made, in any
// order; what the outbox holds counts as had.
func (p *planner) firstMessages(occ []Occurrence) error {
	held := func(o Occurrence) bool {
		first := o.Notification
		first.Repeat = 0
		return o.Kind == docket.KindEscalation && o.Repeat > 0 && o.Mail == docket.EmailDigest &&
			docket.MailOf(p.choice[o.RecipientID], first, p.s.notify.RepeatsInDigest) == docket.EmailEach
	}
	var groups []string
	for _, o := range occ {
		if held(o) {
			groups = append(groups, o.GroupKey)
		}
	}
	if len(groups) == 0 {
		return nil
	}
	had, err := p.tx.Notifications().GroupRecipients(unique(groups))
	if err != nil {
		return err
	}
	order := make([]int, len(occ))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return occ[order[i]].At.Before(occ[order[j]].At) })
	for _, i := range order {
		o := &occ[i]
		k := o.GroupKey + "|" + o.RecipientID
		if held(*o) && !had[k] {
			o.Mail = docket.EmailEach
		}
		had[k] = true
	}
	return nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// DigestWords says in words what a digest carries: how many notifications
// about how many cases, the same in the e-mail and the inbox.
func DigestWords(carries []docket.Notification) string {
	words := docket.RuleWords(docket.RuleDigest, "")
	if len(carries) == 0 {
		return words + ": nothing held back since the last one"
	}
	cases := map[string]bool{}
	for _, n := range carries {
		if n.CaseID != "" {
			cases[n.CaseID] = true
		}
	}
	words += ": " + plural(len(carries), "notification")
	if len(cases) > 0 {
		words += " about " + plural(len(cases), "case")
	}
	return words
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

// DigestLine is one line of a digest: what its notifications of one kind
// are about (docket.RuleWords), how many there are and the cases they name.
type DigestLine struct {
	Words string
	Count int
	Cases []CaseRef
}

// CaseRef names a case: its id and number.
type CaseRef struct{ ID, Number string }

// DigestLines sums up what a digest carries: a line per wording, in the
// order they first appear, each with its cases in order of number.
func DigestLines(ns []docket.Notification) []DigestLine {
	var out []DigestLine
	at := map[string]int{}
	seen := map[string]bool{}
	for _, n := range ns {
		w := docket.RuleWords(n.Rule, n.Threshold)
		i, ok := at[w]
		if !ok {
			i = len(out)
			at[w] = i
			out = append(out, DigestLine{Words: w})
		}
		out[i].Count++
		if n.CaseID != "" && !seen[w+"|"+n.CaseID] {
			seen[w+"|"+n.CaseID] = true
			out[i].Cases = append(out[i].Cases, CaseRef{ID: n.CaseID, Number: n.CaseNumber})
		}
	}
	for _, l := range out {
		sort.Slice(l.Cases, func(i, j int) bool { return l.Cases[i].Number < l.Cases[j].Number })
	}
	return out
}

// digestContents reads what each of the digests among ns carries, by the
// digest's notification id.
func digestContents(tx deliveryTx, ns []docket.Notification) (map[string][]docket.Notification, error) {
	out := map[string][]docket.Notification{}
	for _, n := range ns {
		if n.Kind != docket.KindDigest {
			continue
		}
		carries, err := tx.Notifications().DigestCarries(n.RecipientID, n.DeadlineAt, n.DeadlineAt.Add(-digestLookback))
		if err != nil {
			return nil, err
		}
		out[n.ID] = carries
	}
	return out, nil
}

// DigestsOf reads what the actor's digests among ns carry, by the digest's
// notification id; others' are left out.
func (s *Delivery) DigestsOf(ctx context.Context, a docket.Actor, ns []docket.Notification) (map[string][]docket.Notification, error) {
	var mine []docket.Notification
	for _, n := range ns {
		if n.Kind == docket.KindDigest && n.RecipientID == a.UserID {
			mine = append(mine, n)
		}
	}
	if len(mine) == 0 {
		return map[string][]docket.Notification{}, nil
	}
	var out map[string][]docket.Notification
	err := s.read(ctx, func(tx deliveryTx) error {
		var err error
		out, err = digestContents(tx, mine)
		return err
	})
	return out, err
}
