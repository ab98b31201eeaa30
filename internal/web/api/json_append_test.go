package api

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

// TestAppendedJSONIsEncodingJSONs: the hand-written answers are, byte for
// byte, what encoding/json writes for the same values: every field filled
// at random (so that a field added to the types without being written here
// fails), nil, empty, escaped and odd values included.
func TestAppendedJSONIsEncodingJSONs(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	strs := []string{"", "a", "DKT-2026-0001", `quote " and \ back`, "<script>&amp;</script>", "tab\there\nnewline",
		"é ü 中文", "\u2028\u2029", "bad \xff utf-8", "\x00\x1f"}
	floats := []float64{0, 1, -1, 0.001, 123.456, -1e-7, 1e-6, 1e20, 1e21, 1.5e25, 3e-9, math.MaxFloat64, 86400.5}
	var fill func(v reflect.Value)
	fill = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.String:
			v.SetString(strs[rng.IntN(len(strs))])
		case reflect.Float64:
			v.SetFloat(floats[rng.IntN(len(floats))])
		case reflect.Bool:
			v.SetBool(rng.IntN(2) == 0)
		case reflect.Int, reflect.Int64:
			v.SetInt(rng.Int64N(2000) - 1000)
		case reflect.Pointer:
			if rng.IntN(4) == 0 {
				v.SetZero()
				return
			}
			v.Set(reflect.New(v.Type().Elem()))
			fill(v.Elem())
		case reflect.Slice:
			switch rng.IntN(4) {
			case 0:
				v.SetZero()
			default:
				n := rng.IntN(4)
				v.Set(reflect.MakeSlice(v.Type(), n, n))
				for i := range n {
					fill(v.Index(i))
				}
			}
		case reflect.Map:
			if rng.IntN(5) == 0 {
				v.SetZero()
				return
			}
			v.Set(reflect.MakeMap(v.Type()))
			for range rng.IntN(6) {
				k := reflect.New(v.Type().Key()).Elem()
				fill(k)
				e := reflect.New(v.Type().Elem()).Elem()
				fill(e)
				v.SetMapIndex(k, e)
			}
		case reflect.Struct:
			for i := range v.NumField() {
				fill(v.Field(i))
			}
		}
	}
	for i := range 3000 {
		var c caseJSON
		fill(reflect.ValueOf(&c).Elem())
		want, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.appendJSON(nil); string(got) != string(want) {
			t.Fatalf("case %d:\n got %s\nwant %s", i, got, want)
		}
		var d dashboardJSON
		fill(reflect.ValueOf(&d).Elem())
		want, err = json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		if got := d.appendJSON(nil); string(got) != string(want) {
			t.Fatalf("dashboard %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

// TestCountsAsEncodingJSONWritesThem: countsJSON writes what encoding/json
// writes for the same map.
func TestCountsAsEncodingJSONWritesThem(t *testing.T) {
	for _, m := range []map[string]int{
		nil, {}, {"critical": 0, "high": 3, "medium": -2, "low": 1, "informational": 7},
		{"TLP:AMBER+STRICT": 1, "<script>": 2, "a\"b": 3, "é": 4, "on_track": 5},
	} {
		want, _ := json.Marshal(m)
		got, err := json.Marshal(countsJSON(m))
		if err != nil || string(got) != string(want) {
			t.Fatalf("%v: %s, want %s (%v)", m, got, want, err)
		}
	}
}
