package main

import (
	"net/http"
	"os"
	"testing"
	"time"
)

// BenchmarkColdStart measures the embedded binary from exec to the first 200
// from /readyz: "first" on an empty data dir (creates the stores, seeds the
// demo catalog), "restart" on a data dir a previous run left. The binary is
// built once, outside the timing.
//
//	go test ./cmd/bazaar -run '^$' -bench ColdStart -benchtime 10x
func BenchmarkColdStart(b *testing.B) {
	buildBinary(b)
	for _, c := range []struct {
		name  string
		fresh bool
	}{{"first", true}, {"restart", false}} {
		b.Run(c.name, func(b *testing.B) {
			dir := b.TempDir()
			if !c.fresh { // leave a data dir behind to restart on
				p := startBinary(b, dir, nil)
				p.waitReady(b)
				p.stop(b)
			}
			var total time.Duration
			for i := 0; b.Loop(); i++ {
				d := dir
				if c.fresh {
					var err error
					if d, err = os.MkdirTemp(dir, "run"); err != nil {
						b.Fatal(err)
					}
				}
				start := time.Now()
				p := startBinary(b, d, nil)
				waitReadyFast(b, p.url)
				total += time.Since(start)
				b.StopTimer()
				p.stop(b)
				b.StartTimer()
			}
			b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/start")
		})
	}
}

func waitReadyFast(b *testing.B, url string) {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	b.Fatal("not ready within 60s")
}
