package httpx

import "time"

// InstantLayout is how the API writes an instant.
const InstantLayout = "2006-01-02T15:04:05.000Z"

// Instant renders an instant as RFC 3339 UTC with exactly three fraction digits
// (tsLayout), digit by digit: a dashboard page writes hundreds of them, and
// Format interprets its layout every time. Years outside 0–9999 go to Format.
func Instant(t time.Time) string {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.Format(InstantLayout)
	}
	hour, min, sec := t.Clock()
	milli := t.Nanosecond() / 1e6
	var b [24]byte
	put := func(at, width, v int) {
		for i := at + width - 1; i >= at; i-- {
			b[i] = byte('0' + v%10)
			v /= 10
		}
	}
	put(0, 4, year)
	b[4] = '-'
	put(5, 2, int(month))
	b[7] = '-'
	put(8, 2, day)
	b[10] = 'T'
	put(11, 2, hour)
	b[13] = ':'
	put(14, 2, min)
	b[16] = ':'
	put(17, 2, sec)
	b[19] = '.'
	put(20, 3, milli)
	b[23] = 'Z'
	return string(b[:])
}

func InstantPtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := Instant(*t)
	return &s
}

func StrPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func Seconds(d time.Duration) float64 { return float64(d.Milliseconds()) / 1000 }
