//go:build benchprofile

package main

import (
	"fmt"
	"os"
	"os/signal"
	"runtime"
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
		var maxInuse, maxSys, maxStack uint64
		for {
			time.Sleep(100 * time.Millisecond)
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			maxInuse, maxSys, maxStack = max(maxInuse, m.HeapInuse), max(maxSys, m.HeapSys-m.HeapReleased), max(maxStack, m.StackInuse)
			os.WriteFile(path+".max", []byte(fmt.Sprintf("max HeapInuse %d MB, max heap resident %d MB, max stack %d MB\n", maxInuse>>20, maxSys>>20, maxStack>>20)), 0o644)
			h, _ := os.Create(path + ".heap.tmp")
			pprof.WriteHeapProfile(h)
			h.Close()
			os.Rename(path+".heap.tmp", path+".heap")
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			b, _ := os.ReadFile("/proc/self/smaps_rollup")
			os.WriteFile(path+".mem", []byte(fmt.Sprintf("HeapAlloc %d HeapSys %d HeapIdle %d HeapReleased %d Sys %d NumGC %d\n%s", ms.HeapAlloc, ms.HeapSys, ms.HeapIdle, ms.HeapReleased, ms.Sys, ms.NumGC, b)), 0o644)
		}
	}()
	go func() {
		time.Sleep(3 * time.Second)
		f, _ := os.Create(path)
		pprof.StartCPUProfile(f)
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGUSR1, syscall.SIGTERM)
		select {
		case <-c:
		case <-time.After(7 * time.Second):
		}
		pprof.StopCPUProfile()
		f.Close()
		h, _ := os.Create(path + ".heap")
		pprof.WriteHeapProfile(h)
		h.Close()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b, _ := os.ReadFile("/proc/self/smaps_rollup")
		os.WriteFile(path+".mem", []byte(fmt.Sprintf("HeapAlloc %d HeapSys %d HeapIdle %d HeapReleased %d Sys %d NumGC %d\n%s", ms.HeapAlloc, ms.HeapSys, ms.HeapIdle, ms.HeapReleased, ms.Sys, ms.NumGC, b)), 0o644)
	}()
}
