package web_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// icalCheck compiles testdata/icalcheck.c against libical (Debian's
// libical-dev) and returns a function that runs libical's
// icalrestriction_check on a feed and reports what it found. Without libical
// the test is skipped, unless CI is set: .ci/run installs it.
func icalCheck(t *testing.T) func(name, body string) string {
	t.Helper()
	cflags, err := exec.Command("pkg-config", "--cflags", "--libs", "libical").Output()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("libical is not installed (pkg-config: %v); .ci/run installs libical-dev", err)
		}
		t.Skip("libical is not installed (Debian: libical-dev)")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "icalcheck")
	args := append([]string{"-o", bin, "testdata/icalcheck.c"}, strings.Fields(string(cflags))...)
	if out, err := exec.Command("cc", args...).CombinedOutput(); err != nil {
		t.Fatalf("compiling the libical check: %v\n%s", err, out)
	}
	return func(name, body string) string {
		t.Helper()
		file := filepath.Join(dir, name+".ics")
		if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(bin, file).CombinedOutput()
		if err != nil {
			if _, ok := err.(*exec.ExitError); !ok {
				t.Fatal(err)
			}
		}
		return string(out)
	}
}

// TestCalendarFeedsPassLibical: libical's RFC 5545 and RFC 5546 (METHOD:PUBLISH)
// restrictions find nothing in any user's feed, full or empty.
func TestCalendarFeedsPassLibical(t *testing.T) {
	check := icalCheck(t)
	w := newWorld(t)
	empty := w.feedURL("co")
	_, body := w.feed(empty)
	if out := check("empty", body); !strings.HasPrefix(out, "0 finding(s)") {
		t.Errorf("an empty feed: %s\n%s", out, body)
	}
	w.clock.Set(time.Date(2026, 6, 2, 18, 0, 0, 0, time.UTC))
	f := w.caseIn("in_review")
	w.caseIn("submitted")
	w.finding(f.caseID, "lead", "shared", findingBody("high", "TLP:AMBER"))
	for _, user := range []string{"lab", "lead", "rev", "co"} {
		_, body := w.feed(w.feedURL(user))
		if out := check(user, body); !strings.HasPrefix(out, "0 finding(s)") {
			t.Errorf("%s's feed: %s\n%s", user, out, body)
		}
	}
}
