//go:build benchprofile

package main

import (
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"
)

func init() {
	path := os.Getenv("DOCKET_CPUPROFILE")
	if path == "" {
		return
	}
	go func() {
		time.Sleep(3 * time.Second)
		f, _ := os.Create(path)
		pprof.StartCPUProfile(f)
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGUSR1, syscall.SIGTERM)
		<-c
		pprof.StopCPUProfile()
		f.Close()
	}()
}
