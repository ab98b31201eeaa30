package api

import (
	"encoding/json"
	"math"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// The hottest answers — a case, and the dashboard's page of fifty — are
// written by hand into one buffer rather than by encoding/json, which walks
// every field by reflection: the same bytes (json_append_test.go holds them
// against encoding/json's for every field), at a fraction of the cost, and
// sent in one write with their length.

// bufs recycles the buffers answers are written into.
var bufs = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

// writeJSON answers with a body made by appendBody, as c.JSON would answer
// (application/json, a trailing newline).
func writeJSON(c echo.Context, status int, appendBody func([]byte) []byte) error {
	p := bufs.Get().(*[]byte)
	b := append(appendBody((*p)[:0]), '\n')
	err := c.Blob(status, echo.MIMEApplicationJSON, b)
	if cap(b) <= 1<<20 { // keep ordinary buffers, not a rare giant
		*p = b[:0]
		bufs.Put(p)
	}
	return err
}

// appendString appends s as encoding/json writes a string (HTML-safe).
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // escapes as the encoder does
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func appendStringp(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return appendString(b, *s)
}

func appendStrings(b []byte, s []string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, v := range s {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, v)
	}
	return append(b, ']')
}

// appendFloat appends f as encoding/json writes a float64; NaN and the
// infinities, which it refuses, are written as null (none reach here).
func appendFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-09 → e-9, as encoding/json cleans it
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, "true"...)
	}
	return append(b, "false"...)
}

func (o orgRef) appendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, o.ID)
	b = append(b, `,"name":`...)
	b = appendString(b, o.Name)
	return append(b, '}')
}

func (k *caseClockJSON) appendJSON(b []byte) []byte {
	if k == nil {
		return append(b, "null"...)
	}
	b = append(b, `{"received_at":`...)
	b = appendString(b, k.ReceivedAt)
	b = append(b, `,"base_due_at":`...)
	b = appendString(b, k.BaseDueAt)
	b = append(b, `,"due_at":`...)
	b = appendString(b, k.DueAt)
	b = append(b, `,"remaining_seconds":`...)
	b = appendFloat(b, k.RemainingSeconds)
	b = append(b, `,"band":`...)
	b = appendString(b, k.Band)
	b = append(b, `,"release_conflict":`...)
	b = appendBool(b, k.ReleaseConflict)
	return append(b, '}')
}

// appendFields appends the case's fields, without the braces, so that the
// dashboard's items can add theirs.
func (c *caseJSON) appendFields(b []byte) []byte {
	b = append(b, `"id":`...)
	b = appendString(b, c.ID)
	b = append(b, `,"number":`...)
	b = appendStringp(b, c.Number)
	b = append(b, `,"org":`...)
	b = c.Org.appendJSON(b)
	b = append(b, `,"status":`...)
	b = appendString(b, c.Status)
	b = append(b, `,"model_name":`...)
	b = appendString(b, c.ModelName)
	b = append(b, `,"model_version":`...)
	b = appendString(b, c.ModelVersion)
	if c.Summary != nil {
		b = append(b, `,"summary":`...)
		b = appendString(b, *c.Summary)
	}
	b = append(b, `,"weights_digest":`...)
	b = appendStringp(b, c.WeightsDigest)
	b = append(b, `,"planned_release_date":`...)
	b = appendStringp(b, c.PlannedReleaseDate)
	b = append(b, `,"training_compute_flops":`...)
	if c.TrainingComputeFLOPs == nil {
		b = append(b, "null"...)
	} else {
		b = appendFloat(b, *c.TrainingComputeFLOPs)
	}
	b = append(b, `,"modality":`...)
	b = appendStringp(b, c.Modality)
	b = append(b, `,"deployment":`...)
	b = appendStringp(b, c.Deployment)
	b = append(b, `,"lead_id":`...)
	b = appendStringp(b, c.LeadID)
	b = append(b, `,"reviewer_ids":`...)
	b = appendStrings(b, c.ReviewerIDs)
	b = append(b, `,"risk_tier":`...)
	b = appendStringp(b, c.RiskTier)
	b = append(b, `,"clock":`...)
	b = c.Clock.appendJSON(b)
	b = append(b, `,"allowed_actions":`...)
	b = appendStrings(b, c.AllowedActions)
	b = append(b, `,"created_at":`...)
	b = appendString(b, c.CreatedAt)
	b = append(b, `,"updated_at":`...)
	return appendString(b, c.UpdatedAt)
}

func (c *caseJSON) appendJSON(b []byte) []byte {
	b = append(b, '{')
	return append(c.appendFields(b), '}')
}

func (d *dashboardJSON) appendJSON(b []byte) []byte {
	b = append(b, `{"at":`...)
	b = appendString(b, d.At)
	b = append(b, `,"counts":`...)
	b = countsJSON(d.Counts).append(b)
	b = append(b, `,"items":`...)
	if d.Items == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range d.Items {
			if i > 0 {
				b = append(b, ',')
			}
			it := &d.Items[i]
			b = append(b, '{')
			b = it.caseJSON.appendFields(b)
			b = append(b, `,"open_findings":`...)
			b = it.OpenFindings.append(b)
			b = append(b, `,"overdue_findings":`...)
			b = strconv.AppendInt(b, int64(it.OverdueFindings), 10)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"next_cursor":`...)
	b = appendStringp(b, d.NextCursor)
	return append(b, '}')
}

// answerCase answers with a case as c.JSON(status, v) would.
func answerCase(c echo.Context, status int, v caseJSON) error {
	return writeJSON(c, status, v.appendJSON)
}
