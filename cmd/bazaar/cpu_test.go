package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// cpuMeter measures the CPU time the parts of a benchmark spend while the
// clock runs: the shop under test, PostgreSQL, the external NATS server,
// and this process (the clients). CPU per op is a steadier figure than
// throughput on a shared, noisy machine: a change that saves work shows
// there even when the wall clock does not. Linux only (it reads /proc);
// elsewhere it reports nothing.
type cpuMeter struct {
	shopPID int
	start   map[string]float64
}

// cpuParts names the parts a meter reports, by the process names it adds up.
var cpuParts = map[string]string{
	"postgres":    "pg",
	"nats-server": "nats",
}

func newCPUMeter(shopPID int) *cpuMeter {
	m := &cpuMeter{shopPID: shopPID}
	m.start = m.read()
	return m
}

// report adds "<part>-cpu-us/op" metrics for the time since the meter
// started.
func (m *cpuMeter) report(b *testing.B, ops int) {
	if m.start == nil || ops == 0 {
		return
	}
	end := m.read()
	for part, sec := range end {
		used := sec - m.start[part]
		if used < 0 {
			used = 0 // processes that exited took their time with them
		}
		b.ReportMetric(used*1e6/float64(ops), part+"-cpu-us/op")
	}
}

// read sums the CPU seconds of each part so far.
func (m *cpuMeter) read() map[string]float64 {
	procs, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil || len(procs) == 0 {
		return nil
	}
	out := map[string]float64{"shop": 0, "client": 0, "pg": 0, "nats": 0}
	self := os.Getpid()
	for _, p := range procs {
		pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
		name, sec, ok := procCPU(p)
		if !ok {
			continue
		}
		switch {
		case pid == m.shopPID:
			out["shop"] += sec
		case pid == self:
			out["client"] += sec
		case cpuParts[name] != "":
			out[cpuParts[name]] += sec
		}
	}
	return out
}

// procCPU reads a /proc/<pid>/stat: the command name and its user and
// system time in seconds.
func procCPU(path string) (string, float64, bool) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", 0, false
	}
	s := string(raw)
	open, closing := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || closing < open {
		return "", 0, false
	}
	// After the name: state, ppid, ... utime is the 12th field, stime the 13th.
	f := strings.Fields(s[closing+1:])
	if len(f) < 13 {
		return "", 0, false
	}
	utime, err1 := strconv.ParseFloat(f[11], 64)
	stime, err2 := strconv.ParseFloat(f[12], 64)
	if err1 != nil || err2 != nil {
		return "", 0, false
	}
	const clockTicks = 100 // USER_HZ on Linux
	return s[open+1 : closing], (utime + stime) / clockTicks, true
}

func TestProcCPUReadsThisProcess(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc here: the benchmarks' CPU figures are Linux only")
	}
	for start := time.Now(); time.Since(start) < 20*time.Millisecond; {
		// burn a little CPU so that there is some to read
	}
	name, sec, ok := procCPU("/proc/self/stat")
	if !ok || name == "" || sec <= 0 {
		t.Fatalf("procCPU(/proc/self/stat) = %q, %v, %v", name, sec, ok)
	}
	m := newCPUMeter(-1)
	if m.start == nil || m.start["client"] <= 0 {
		t.Fatalf("meter start %v: this process's time missing", m.start)
	}
}
