package ui

import (
	"context"
	"fmt"
	"html"
	"html/template"
	"io"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
	"github.com/docket/docket/internal/web/ui/view"
)

// Evaluation evidence on the case page: each Inspect log imported on the
// case (task, model, samples, scores, the log's hash, who ran and imported
// it) beside the benchmark results it made, an upload form, and for each
// benchmark a small chart of the line's versions drawn on the server, the
// tier thresholds as bands, with the numbers in a table beside it.

// EvaluationService is what the pages call of the evaluations service.
type EvaluationService interface {
	CheckImport(ctx context.Context, a docket.Actor, caseID string) error
	StageLog(r io.Reader, clientName string) (*app.StagedLog, error)
	ImportUpload(ctx context.Context, a docket.Actor, caseID string, in docket.EvaluationInput, st *app.StagedLog) (*app.EvaluationView, error)
	ListEvaluations(ctx context.Context, a docket.Actor, caseID string) ([]app.EvaluationView, error)
	Line(ctx context.Context, a docket.Actor, caseID string) ([]app.LineVersion, error)
}

// EvaluationPages serves the import of an Inspect log from the case page.
type EvaluationPages struct {
	present     *casePresenter
	evaluations EvaluationService
}

const formEvaluation = "evaluation"

type evaluationsPart struct {
	Rows   []evaluationRow
	Charts []lineChart
	Import *evaluationForm
}

type evaluationRow struct {
	ID, Task, TaskVersion, Model, Samples, Scores, Digest, File, RunBy, ImportedBy string
	ImportedAt                                                                     time.Time
	Results                                                                        []string
}

type evaluationForm struct {
	RunBy      []view.Option
	RunByError string
	FileError  string
	Notes      workField
	Limit      string
}

type lineChart struct {
	ID, Benchmark, Unit string
	SVG                 template.HTML
	Points              []chartPoint
}

type chartPoint struct {
	Number, Version, Score, Tier string
	Current                      bool
}

// evaluationsPartOf loads the evaluations, the results they made and the
// line's charts, for a reviewer or lead who read the case's results.
func (h *casePresenter) evaluationsPartOf(ctx context.Context, a docket.Actor, cs *docket.Case, r *caseReview) (*evaluationsPart, error) {
	if h.evaluations == nil {
		return nil, nil
	}
	list, err := h.evaluations.ListEvaluations(ctx, a, cs.ID)
	if err != nil {
		return nil, err
	}
	byID := map[string]docket.Benchmark{}
	for _, b := range r.benchmarks {
		byID[b.ID] = b
	}
	part := &evaluationsPart{}
	for _, v := range list {
		e := v.Evaluation
		row := evaluationRow{ID: e.ID, Task: e.Task, TaskVersion: e.TaskVersion, Model: e.Model, Digest: e.Digest(), File: e.FileName,
			Samples: fmt.Sprintf("%d of %d completed", e.CompletedSamples, e.TotalSamples), ImportedAt: e.ImportedAt,
			RunBy: map[string]string{"lab": "The lab", "agency": "The agency"}[e.RunBy], ImportedBy: e.ImportedBy}
		var sc []string
		for _, s := range e.Scores {
			sc = append(sc, fmt.Sprintf("%s %s %s", s.Scorer, s.Metric, scoreText(s.Value)))
		}
		row.Scores = strings.Join(sc, "; ")
		for _, res := range v.Results {
			b := byID[res.BenchmarkID]
			row.Results = append(row.Results, fmt.Sprintf("%s: %s (%s)", view.LabelOr(b.Name, res.BenchmarkID), scoreText(res.Score),
				view.LabelOr(view.TierLabels[res.Tier], res.Tier)))
		}
		part.Rows = append(part.Rows, row)
	}
	line, err := h.evaluations.Line(ctx, a, cs.ID)
	if err != nil {
		return nil, err
	}
	for _, b := range r.benchmarks {
		var pts []linePoint
		for _, v := range line {
			if res, ok := v.Latest[b.ID]; ok {
				pts = append(pts, linePoint{version: v.ModelVersion, number: v.Number, score: res.Score, tier: res.Tier, current: v.CaseID == cs.ID})
			}
		}
		if len(pts) == 0 {
			continue
		}
		ch := lineChart{ID: "chart-" + b.ID, Benchmark: b.Name, Unit: b.Unit}
		for _, p := range pts {
			ch.Points = append(ch.Points, chartPoint{Number: p.number, Version: p.version, Score: scoreText(p.score),
				Tier: view.LabelOr(view.TierLabels[p.tier], p.tier), Current: p.current})
		}
		ch.SVG = drawLine(b, pts)
		part.Charts = append(part.Charts, ch)
	}
	if cs.Status.AcceptsAdditions() {
		part.Import = &evaluationForm{Limit: humanSize(h.maxBytes)}
	}
	return part, nil
}

// buildEvaluationForm fills the import form with what was sent and its errors.
func (r *caseReview) buildEvaluationForm() {
	if r.Evaluations == nil || r.Evaluations.Import == nil {
		return
	}
	f := r.Evaluations.Import
	e := view.FieldErrors{}
	if r.Form.Which == formEvaluation {
		e = r.Errors
	}
	runBy := r.Form.value(formEvaluation, "", "run_by")
	f.RunBy = view.Options([]string{docket.RunByAgency, docket.RunByLab}, map[string]string{"agency": "The agency", "lab": "The lab"}, runBy)
	f.RunByError = e["run_by"]
	f.FileError = e["file"]
	if msg := e["task"]; msg != "" {
		f.FileError = msg
	}
	f.Notes = field("evaluation-notes", "notes", "Notes", "Optional: where and how it was run.", "textarea",
		r.Form.value(formEvaluation, "", "notes"), e)
	f.Notes.Optional, f.Notes.Rows = true, 3
}

// Import receives an Inspect log from the case page's form: 404, 403 and 409
// before the file is read; a refusal shows the form again naming the field.
func (h *EvaluationPages) Import(c echo.Context) error {
	ctx, a, id := c.Request().Context(), httpx.MustActor(c), c.Param("id")
	rf := reviewForm{Which: formEvaluation, Values: map[string]string{}}
	if err := h.evaluations.CheckImport(ctx, a, id); err != nil {
		return err
	}
	pu, _ := c.Get(httpx.UploadKey).(*httpx.OpenedUpload)
	if pu == nil {
		return h.present.renderReviewError(c, id, rf, view.FieldErrors{"file": "Choose the Inspect log to import."},
			docket.Unacceptable("file", "choose the Inspect log (.eval or .json) to import"))
	}
	var st *app.StagedLog
	defer func() { st.Discard() }()
	var in docket.EvaluationInput
	for {
		part, err := pu.MR.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return httpx.BodyError(err)
		}
		switch name := part.FormName(); name {
		case "run_by", "notes":
			b, err := io.ReadAll(io.LimitReader(part, docket.MaxEvalNotes+1))
			if err != nil {
				return httpx.BodyError(err)
			}
			v := string(b)
			rf.Values[name] = v
			if name == "run_by" {
				in.RunBy = &v
			} else if v != "" {
				in.Notes = &v
			}
		case "file":
			if httpx.PartFileName(part) == "" {
				continue // no file chosen
			}
			st, err = h.evaluations.StageLog(part, httpx.PartFileName(part))
			if err != nil {
				if pu.Body.Err() != nil {
					return httpx.BodyError(pu.Body.Err())
				}
				return h.present.renderReviewError(c, id, rf, nil, err)
			}
		default:
			return docket.FieldError(name, "is not a field of this form")
		}
		part.Close()
	}
	if st == nil {
		return h.present.renderReviewError(c, id, rf, view.FieldErrors{"file": "Choose the Inspect log to import."},
			docket.Unacceptable("file", "choose the Inspect log (.eval or .json) to import"))
	}
	v, err := h.evaluations.ImportUpload(ctx, a, id, in, st)
	st = nil
	if err != nil {
		return h.present.renderReviewError(c, id, rf, nil, err)
	}
	return c.Redirect(http.StatusSeeOther, "/cases/"+id+"?done=evaluation#evaluation-"+v.ID)
}

type linePoint struct {
	version, number, tier string
	score                 float64
	current               bool
}

// The chart's geometry, in SVG user units.
const (
	chartW, chartH          = 360.0, 150.0
	chartLeft, chartRight   = 40.0, 12.0
	chartTop, chartBottom   = 10.0, 28.0
	chartPlotW, chartPlotH  = chartW - chartLeft - chartRight, chartH - chartTop - chartBottom
	chartHeadroomOverThresh = 1.25
)

// drawLine draws a benchmark's scores across the line's versions: the tier
// bands from the thresholds behind, one point per version joined by a line,
// the current case's point ringed. Higher scores are drawn higher whichever
// way the benchmark's risk runs; the bands follow its direction.
func drawLine(b docket.Benchmark, pts []linePoint) template.HTML {
	lo, hi := 0.0, math.Max(b.Critical, b.Elevated)*chartHeadroomOverThresh
	if b.Min != nil && b.Max != nil {
		lo, hi = *b.Min, *b.Max
	}
	for _, p := range pts {
		lo, hi = math.Min(lo, p.score), math.Max(hi, p.score)
	}
	if hi <= lo {
		hi = lo + 1
	}
	y := func(v float64) float64 { return chartTop + chartPlotH*(1-(v-lo)/(hi-lo)) }
	x := func(i int) float64 {
		if len(pts) == 1 {
			return chartLeft + chartPlotW/2
		}
		return chartLeft + chartPlotW*float64(i)/float64(len(pts)-1)
	}
	var s strings.Builder
	fmt.Fprintf(&s, `<svg class="line-chart" viewBox="0 0 %g %g" width="%g" height="%g" aria-hidden="true" focusable="false">`,
		chartW, chartH, chartW, chartH)
	// The bands, from the thresholds: [from, to) in score, and the tier.
	type band struct {
		from, to float64
		tier     string
	}
	var bands []band
	if b.HigherIsRiskier {
		bands = []band{{lo, b.Elevated, docket.TierLow}, {b.Elevated, b.High, docket.TierElevated}, {b.High, b.Critical, docket.TierHigh}, {b.Critical, hi, docket.TierCritical}}
	} else {
		bands = []band{{lo, b.Critical, docket.TierCritical}, {b.Critical, b.High, docket.TierHigh}, {b.High, b.Elevated, docket.TierElevated}, {b.Elevated, hi, docket.TierLow}}
	}
	for _, bd := range bands {
		from, to := math.Max(bd.from, lo), math.Min(bd.to, hi)
		if to <= from {
			continue
		}
		fmt.Fprintf(&s, `<rect class="band band-%s" x="%g" y="%.1f" width="%g" height="%.1f"/>`, bd.tier, chartLeft, y(to), chartPlotW, y(from)-y(to))
		fmt.Fprintf(&s, `<text class="band-label" x="%g" y="%.1f">%s</text>`, chartLeft+chartPlotW-4, y(to)+11, html.EscapeString(bd.tier))
	}
	for _, v := range []float64{lo, hi} {
		fmt.Fprintf(&s, `<text class="axis" x="%g" y="%.1f">%s</text>`, chartLeft-4, y(v)+4, html.EscapeString(scoreText(v)))
	}
	var path []string
	for i, p := range pts {
		path = append(path, fmt.Sprintf("%.1f,%.1f", x(i), y(p.score)))
	}
	if len(pts) > 1 {
		fmt.Fprintf(&s, `<polyline class="line" points="%s"/>`, strings.Join(path, " "))
	}
	for i, p := range pts {
		cls := "point"
		if p.current {
			cls += " point-current"
		}
		fmt.Fprintf(&s, `<circle class="%s" cx="%.1f" cy="%.1f" r="%d"/>`, cls, x(i), y(p.score), map[bool]int{true: 6, false: 4}[p.current])
		fmt.Fprintf(&s, `<text class="version" x="%.1f" y="%g">%s</text>`, x(i), chartH-8, html.EscapeString(p.version))
	}
	s.WriteString(`</svg>`)
	return template.HTML(s.String()) // #nosec G203 -- every text in it is escaped above (html.EscapeString); the numbers and class names are ours
}
