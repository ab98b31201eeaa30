package schedule

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestAPanickingJobIsLoggedAndTheNextRunHappens(t *testing.T) {
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	var runs atomic.Int32
	job := Chain(log).Then(cron.FuncJob(func() {
		if runs.Add(1) == 1 {
			panic("a rule blew up")
		}
	}))
	job.Run()
	job.Run()
	if runs.Load() != 2 {
		t.Fatalf("runs %d", runs.Load())
	}
	if !strings.Contains(logs.String(), "a rule blew up") {
		t.Fatalf("the panic was not logged: %s", logs.String())
	}
}

func TestRunsNeverOverlap(t *testing.T) {
	log := slog.New(slog.NewTextHandler(&syncBuffer{}, nil))
	var running, most, runs atomic.Int32
	release := make(chan struct{})
	job := Chain(log).Then(cron.FuncJob(func() {
		n := running.Add(1)
		defer running.Add(-1)
		if n > most.Load() {
			most.Store(n)
		}
		runs.Add(1)
		<-release
	}))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); job.Run() }()
	for running.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	job.Run() // skipped: the first is still running
	close(release)
	wg.Wait()
	if most.Load() != 1 || runs.Load() != 1 {
		t.Fatalf("overlap: most %d at once, %d runs", most.Load(), runs.Load())
	}
}

func TestSchedulerStartsAndStopsCleanly(t *testing.T) {
	log := slog.New(slog.NewTextHandler(&syncBuffer{}, nil))
	var ran atomic.Int32
	var ctxErr atomic.Value
	s, err := New([]Job{{Name: "probe", Spec: "@every 1h", Run: func(ctx context.Context) error {
		ran.Add(1)
		ctxErr.Store(ctx.Err() == nil)
		return nil
	}}}, time.UTC, log)
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	if ran.Load() != 1 || ctxErr.Load() != true {
		t.Fatalf("the first run at start-up did not happen: %d", ran.Load())
	}
	s.Stop()
	if _, err := New([]Job{{Name: "bad", Spec: "every tuesday", Run: nil}}, time.UTC, log); err == nil {
		t.Fatal("a bad spec was accepted")
	}
}

// TestAWakeRunsTheJobAtOnce: a job with a wake channel runs when woken, long
// before its schedule.
func TestAWakeRunsTheJobAtOnce(t *testing.T) {
	log := slog.New(slog.NewTextHandler(&syncBuffer{}, nil))
	wake := make(chan struct{}, 1)
	ran := make(chan struct{}, 4)
	s, err := New([]Job{{Name: "deliver", Spec: "@every 1h", Wake: wake, Run: func(context.Context) error {
		ran <- struct{}{}
		return nil
	}}}, time.UTC, log)
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	<-ran // the run at start-up
	wake <- struct{}{}
	select {
	case <-ran:
	case <-time.After(10 * time.Second):
		t.Fatal("the wake did not run the job")
	}
	s.Stop() // returns only once the wake listener has ended
}
