package web_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docket/docket/internal/config"
	"github.com/docket/docket/internal/storetest"
)

// TestNoUsableSecretAtRest: after sessions, API tokens, a calendar feed URL
// and a webhook are issued, neither the database files nor anything else
// Docket wrote holds any of them (or a password) in the clear, and every file
// Docket wrote is readable by its own user only.
func TestNoUsableSecretAtRest(t *testing.T) {
	storetest.SkipOnPostgres(t, "reads the SQLite files")
	ts := newTestServer(t, func(c *config.Config) { c.Webhooks.AllowPrivateTargets = true })
	lab := ts.addUser("lab", "lab_member", "Frontier Labs")
	secrets := []string{testPassword, lab.Token}
	api := ts.do("POST", "/api/v1/api-tokens", lab.Token, map[string]any{"name": "ci"})
	want(t, api, 201)
	secrets = append(secrets, api.JSON()["token"].(string))
	cal := ts.do("POST", "/api/v1/calendar-url", lab.Token, nil)
	want(t, cal, 201)
	url := cal.JSON()["url"].(string)
	secrets = append(secrets, strings.TrimSuffix(url[strings.LastIndex(url, "/")+1:], ".ics"))
	hook := ts.do("POST", "/api/v1/webhooks", lab.Token, map[string]any{"url": "https://hooks.frontier.example/docket", "events": []string{"reminder"}})
	want(t, hook, 201)
	whsec := hook.JSON()["secret"].(string)
	secrets = append(secrets, whsec, strings.TrimPrefix(whsec, "whsec_"))
	// Force everything onto disk.
	if err := ts.store.Exec("PRAGMA wal_checkpoint(FULL)"); err != nil {
		t.Fatal(err)
	}
	dirs := []string{filepath.Dir(ts.cfg.DB), ts.cfg.DataDir}
	files := 0
	for _, dir := range dirs {
		_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			files++
			info, _ := d.Info()
			if mode := info.Mode().Perm(); mode&0o077 != 0 {
				t.Errorf("%s is readable by others: %v", path, mode)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range secrets {
				if bytes.Contains(b, []byte(s)) {
					t.Errorf("%s holds a secret in the clear (%.12s…)", path, s)
				}
			}
			return nil
		})
	}
	if files == 0 {
		t.Fatal("no files checked")
	}
}
