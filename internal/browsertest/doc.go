// Package browsertest drives Docket's pages in a real browser: headless
// Chromium through chromedp, against the real server on 127.0.0.1. Each user
// group does its job as a person would, by clicking and typing, the
// countdown is watched ticking, the CSV is downloaded, and axe-core checks
// every main page against WCAG 2.1 A and AA. Screenshots of every step are
// kept under DOCKET_ARTIFACTS (or a temporary directory, logged).
//
// Without a browser the tests skip, unless CI is set: then a missing browser
// fails them. DOCKET_CHROMIUM names the browser (default: /usr/bin/chromium,
// or chromium or google-chrome on the PATH); DOCKET_AXE_DIR the npm prefix
// holding axe-core (default: ~/.cache/docket/axe, installed there with npm when
// missing).
//
// The package holds only tests.
package browsertest
