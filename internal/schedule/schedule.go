// Package schedule runs Docket's named jobs on robfig/cron: holding the sweep
// lease, sweeping for reminders and escalations, and delivering them. Jobs
// take a context, call use cases only, never overlap and survive panics.
package schedule

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/docket/docket/internal/app"
)

// Job is one named scheduled job.
type Job struct {
	Name string
	Spec string
	Run  func(ctx context.Context) error
	// Wake, when set, runs the job at once each time it receives, besides its
	// schedule; a run still going makes the wake skip, as a scheduled run would.
	Wake <-chan struct{}
}

// Scheduler owns a cron instance and its jobs.
type Scheduler struct {
	cron *cron.Cron
	jobs []Job
	// wrapped are the jobs in their chain, which the schedule and the wakes share.
	wrapped []cron.Job
	log     *slog.Logger
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

// cronLogger adapts slog to cron's logger, so recovered panics are logged.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", err)...)
}

// Chain is the wrapper every job runs in: a run still going when the next is
// due makes the next one skip, and a panic is logged and recovered. Recover
// sits inside SkipIfStillRunning, so that a panic cannot keep the "running"
// token and silence every later run.
func Chain(log *slog.Logger) cron.Chain {
	l := cronLogger{log}
	return cron.NewChain(cron.SkipIfStillRunning(l), cron.Recover(l))
}

// New builds a scheduler for the jobs in the agency zone. It refuses a bad spec.
func New(jobs []Job, loc *time.Location, log *slog.Logger) (*Scheduler, error) {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Scheduler{jobs: jobs, log: log, ctx: ctx, cancel: cancel,
		cron: cron.New(cron.WithLocation(loc), cron.WithLogger(cronLogger{log}))}
	chain := Chain(log)
	for _, j := range jobs {
		j := j
		wrapped := chain.Then(cron.FuncJob(func() { s.run(j) }))
		if _, err := s.cron.AddJob(j.Spec, wrapped); err != nil {
			cancel()
			return nil, fmt.Errorf("notify.schedule: job %s: bad spec %q: %w", j.Name, j.Spec, err)
		}
		s.wrapped = append(s.wrapped, wrapped)
	}
	return s, nil
}

func (s *Scheduler) run(j Job) {
	s.wg.Add(1)
	defer s.wg.Done()
	if s.ctx.Err() != nil {
		return
	}
	start := time.Now()
	if err := j.Run(s.ctx); err != nil {
		s.log.Error("job failed", "job", j.Name, "err", err, "ms", time.Since(start).Milliseconds())
		return
	}
	s.log.Debug("job ran", "job", j.Name, "ms", time.Since(start).Milliseconds())
}

// Start runs every job once right away, in order (the first sweep at start-up),
// then on its schedule.
func (s *Scheduler) Start() {
	chain := Chain(s.log)
	for _, j := range s.jobs {
		j := j
		chain.Then(cron.FuncJob(func() { s.run(j) })).Run()
	}
	s.cron.Start()
	for i, j := range s.jobs {
		if j.Wake == nil {
			continue
		}
		s.wg.Add(1)
		go func(wake <-chan struct{}, job cron.Job) {
			defer s.wg.Done()
			for {
				select {
				case <-s.ctx.Done():
					return
				case <-wake:
					job.Run()
				}
			}
		}(j.Wake, s.wrapped[i])
	}
}

// Stop stops the schedule, cancels running jobs' context and waits for them.
func (s *Scheduler) Stop() {
	<-s.cron.Stop().Done()
	s.cancel()
	s.wg.Wait()
}

// Holder names this process for the sweep lease.
func Holder() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d/%d", host, os.Getpid(), time.Now().UnixNano()%100000)
}

// Delivery is what the jobs run: the delivery service's lease, sweep and
// delivery (app.Delivery).
type Delivery interface {
	HoldLease(ctx context.Context, holder string) (bool, error)
	Sweep(ctx context.Context, holder string) (app.SweepResult, error)
	Deliver(ctx context.Context, channels []app.Channel) (int, error)
	// Wakes receives when a delivery is wanted now (a webhook ping).
	Wakes() <-chan struct{}
}

// Jobs lists Docket's scheduled jobs in one place: keep the lease, sweep,
// deliver. The sweep and delivery do nothing unless this process holds the
// lease; they also run when the delivery service asks (Wakes), so that a
// webhook ping goes at once from the lease holder.
func Jobs(svc Delivery, holder, sweepSpec string, leaseTTL time.Duration, channels []app.Channel, log *slog.Logger) []Job {
	renew := leaseTTL / 3
	if renew < time.Second {
		renew = time.Second
	}
	return []Job{
		{Name: "lease", Spec: fmt.Sprintf("@every %s", renew), Run: func(ctx context.Context) error {
			_, err := svc.HoldLease(ctx, holder)
			return err
		}},
		{Name: "sweep", Spec: sweepSpec, Run: func(ctx context.Context) error {
			if held, err := svc.HoldLease(ctx, holder); err != nil || !held {
				return err
			}
			res, err := svc.Sweep(ctx, holder)
			if err != nil {
				return err
			}
			if res.Inserted > 0 {
				log.Info("sweep", "due", res.Due, "written", res.Inserted)
			}
			n, err := svc.Deliver(ctx, channels)
			if n > 0 {
				log.Info("delivered", "messages", n)
			}
			return err
		}, Wake: svc.Wakes()},
	}
}
