package config

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzConfigFile: any configuration file either loads into settings that
// validate, or fails with an error; it never panics.
func FuzzConfigFile(f *testing.F) {
	f.Add([]byte("review:\n  timezone: Europe/London\n  window_days: 10\n"))
	f.Add([]byte("notify:\n  reminder_days: [7, 3, 1]\nfindings:\n  response_days: {critical: 1}\n"))
	f.Add([]byte("secret: short\n"))
	f.Add([]byte("<<: *x\n"))
	f.Add([]byte("auth: [1, 2]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "docket.yaml")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := Load(path, func(string) (string, bool) { return "", false }, nil)
		if err != nil {
			return
		}
		if err := cfg.Validate(); err != nil {
			t.Fatalf("Load accepted settings that do not validate: %v", err)
		}
	})
}
