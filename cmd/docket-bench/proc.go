package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/labstack/echo/v4"
)

// serveBare is the ceiling: Echo with one route answering a small JSON
// object, no middleware, on 127.0.0.1. It prints its address and runs until
// its standard input closes (the benchmark ends) or it is signalled.
func serveBare() error {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	type status struct {
		Status string `json:"status"`
		Time   int64  `json:"time"`
	}
	e.GET("/", func(c echo.Context) error {
		return c.JSON(http.StatusOK, status{Status: "ok", Time: time.Now().Unix()})
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Printf("listening on http://%s\n", ln.Addr())
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		ln.Close()
	}()
	err = http.Serve(ln, e)
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// proc is a server process the benchmark started.
type proc struct {
	cmd     *exec.Cmd
	url     string
	stdin   io.WriteCloser
	started time.Time
	done    chan error
}

// start runs a server command and waits (at most 2 minutes) for the line on
// its standard output that names its address after prefix.
func start(ctx context.Context, cmd *exec.Cmd, prefix string) (*proc, error) {
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	p := &proc{cmd: cmd, stdin: stdin, started: time.Now(), done: make(chan error, 1)}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if _, after, ok := strings.Cut(sc.Text(), prefix); ok {
				select {
				case found <- strings.TrimSpace(after):
				default:
				}
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	go func() { p.done <- cmd.Wait() }()
	select {
	case p.url = <-found:
		return p, nil
	case err := <-p.done:
		return nil, fmt.Errorf("%s exited before listening: %v", cmd.Path, err)
	case <-time.After(2 * time.Minute):
		p.kill()
		return nil, fmt.Errorf("%s did not say where it listens within 2 minutes", cmd.Path)
	case <-ctx.Done():
		p.kill()
		return nil, ctx.Err()
	}
}

// stop asks the process to end (SIGTERM, then SIGKILL after 15 s) and waits.
func (p *proc) stop() error {
	p.stdin.Close()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		p.done <- err
		return err
	case <-time.After(15 * time.Second):
		p.kill()
		return errors.New("did not stop within 15 s; killed")
	}
}

// kill ends the process at once, as a crash would, and waits.
func (p *proc) kill() {
	_ = p.cmd.Process.Kill()
	select {
	case err := <-p.done:
		p.done <- err
	case <-time.After(15 * time.Second):
	}
}

// peakRSS is the process's peak resident set (VmHWM), in bytes.
func (p *proc) peakRSS() int64 { return p.status("VmHWM") }

// status reads one size field of /proc/<pid>/status, in bytes.
func (p *proc) status(field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// cpu is the process's user and system CPU time so far.
func (p *proc) cpu() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses: utime and stime are the 12th and 13th.
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		s = s[i+1:]
	}
	f := strings.Fields(s)
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ
}

// resetPeakRSS starts a new peak RSS measurement (Linux: clear_refs 5); it
// reports false when the kernel refuses, and the peak is then since start.
func (p *proc) resetPeakRSS() bool {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", p.cmd.Process.Pid), []byte("5"), 0) == nil
}

// waitReady polls url until it answers 200, every millisecond, for at most limit.
func waitReady(ctx context.Context, url string, limit time.Duration) error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if err := ctx.Err(); err != nil {
			return err
		}
		resp, err := client.Get(url)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(time.Millisecond)
	}
	return fmt.Errorf("%s not ready within %s", url, limit)
}

// measureBare measures the bare Echo handler, in a process of its own.
func measureBare(ctx context.Context, o options) (row, error) {
	self, err := os.Executable()
	if err != nil {
		return row{}, err
	}
	logf("bare Echo handler: starting")
	cmd := exec.CommandContext(ctx, self, "bare")
	cmd.Stderr = os.Stderr
	p, err := start(ctx, cmd, "listening on ")
	if err != nil {
		return row{}, err
	}
	defer p.stop()
	target := p.url + "/"
	r, err := attack(ctx, o, "bare", "bare Echo handler, small JSON (the ceiling)", p, getTargeter(func() string { return target }, nil), nil)
	return r, err
}
