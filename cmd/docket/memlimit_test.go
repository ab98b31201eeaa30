package main

import (
	"runtime/debug"
	"testing"
)

// TestMemoryLimit: serve sets memory_limit as the runtime's soft limit and
// gives the earlier one back; GOMEMLIMIT in the environment wins; 0 changes
// nothing.
func TestMemoryLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	t.Setenv("GOMEMLIMIT", "")

	prev := applyMemoryLimit(96 << 20)
	if got := debug.SetMemoryLimit(-1); got != 96<<20 {
		t.Fatalf("limit %d, want %d", got, 96<<20)
	}
	if prev != before {
		t.Fatalf("returned %d to restore, want %d", prev, before)
	}
	debug.SetMemoryLimit(prev)

	if prev := applyMemoryLimit(0); prev != before || debug.SetMemoryLimit(-1) != before {
		t.Fatalf("memory_limit 0 changed the limit")
	}
	t.Setenv("GOMEMLIMIT", "200MiB")
	if applyMemoryLimit(96 << 20); debug.SetMemoryLimit(-1) != before {
		t.Fatalf("memory_limit overrode GOMEMLIMIT")
	}
}
