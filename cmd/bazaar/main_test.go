package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// buildBinary compiles the real bazaar binary once per test run.
func buildBinary(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "bazaar-bin")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "bazaar")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// process is a running bazaar binary.
type process struct {
	cmd    *exec.Cmd
	url    string
	stderr *bytes.Buffer
	done   chan error
}

var readyLine = regexp.MustCompile(`Bazaar is running at (https?://\S+)`)

// startBinary starts the binary with a free port and the given data dir and
// environment, and waits for its ready line.
func startBinary(t testing.TB, dataDir string, env []string, args ...string) *process {
	t.Helper()
	bin := buildBinary(t)
	args = append([]string{"serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir}, args...)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(cleanEnv(), env...)
	stdout, _ := cmd.StdoutPipe()
	p := &process{cmd: cmd, stderr: &bytes.Buffer{}, done: make(chan error, 1)}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := readyLine.FindStringSubmatch(sc.Text()); m != nil {
				lines <- m[1]
			}
		}
		close(lines)
	}()
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-p.done
		}
	})
	select {
	case u, ok := <-lines:
		if !ok {
			t.Fatalf("binary exited before it was ready:\n%s", p.stderr)
		}
		p.url = u
	case <-time.After(60 * time.Second):
		t.Fatalf("no ready line within 60s:\n%s", p.stderr)
	}
	return p
}

// cleanEnv is the test's environment without BAZAAR_ settings, so a
// developer's shell cannot change what the binary under test does.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "BAZAAR_") || strings.HasPrefix(kv, "BAZAAR_TEST_") {
			out = append(out, kv)
		}
	}
	return append(out, "BAZAAR_LOG_FORMAT=json")
}

func (p *process) waitReady(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(p.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("/readyz never answered 200:\n%s", p.stderr)
}

func (p *process) stop(t testing.TB) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, p.stderr)
		}
	case <-time.After(40 * time.Second):
		t.Fatalf("no exit within 40s of SIGTERM:\n%s", p.stderr)
	}
}

func get(t *testing.T, url string) (int, string, http.Header) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func TestBinaryStartsServesAndStopsCleanly(t *testing.T) {
	dataDir := t.TempDir()
	p := startBinary(t, dataDir, nil)
	p.waitReady(t)

	status, body, hdr := get(t, p.url+"/healthz")
	if status != 200 || hdr.Get("X-Request-Id") == "" {
		t.Fatalf("/healthz %d %q", status, body)
	}
	status, body, _ = get(t, p.url+"/readyz")
	if status != 200 || !strings.Contains(body, `"bus":"ok"`) || !strings.Contains(body, `"cache":"ok"`) {
		t.Fatalf("/readyz %d %s", status, body)
	}
	status, body, hdr = get(t, p.url+"/api/v1/no-such-route")
	if status != 404 || hdr.Get("Content-Type") != "application/problem+json" || !strings.Contains(body, `"code":"route_not_found"`) {
		t.Fatalf("unknown route: %d %s %s", status, hdr.Get("Content-Type"), body)
	}
	status, body, _ = get(t, p.url+"/metrics")
	if status != 200 || !strings.Contains(body, `bazaar_http_requests_total{method="GET",route="GET /healthz",status="200"}`) || !strings.Contains(body, "go_goroutines") {
		t.Fatalf("/metrics %d:\n%s", status, body)
	}
	status, body, _ = get(t, p.url+"/api/v1/openapi.json")
	if status != 200 || !strings.Contains(body, `"openapi":"3.1`) {
		t.Fatalf("openapi %d %.200s", status, body)
	}
	p.stop(t)
	if !strings.Contains(p.stderr.String(), `"msg":"stopped"`) {
		t.Errorf("no clean stop logged:\n%s", p.stderr)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "nats")); err != nil {
		t.Errorf("embedded JetStream store not under the data dir: %v", err)
	}

	// A second start on the same data dir reuses it.
	p = startBinary(t, dataDir, nil)
	p.waitReady(t)
	p.stop(t)
}

func TestBinaryRefusesBadConfiguration(t *testing.T) {
	bin := buildBinary(t)
	for _, c := range []struct {
		env  string
		want string
	}{
		{"BAZAAR_ADRR=127.0.0.1:1", "unknown variable BAZAAR_ADRR"},
		{"BAZAAR_SHUTDOWN_TIMEOUT=forever", "BAZAAR_SHUTDOWN_TIMEOUT"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		cmd := exec.CommandContext(ctx, bin, "serve", "--data-dir", t.TempDir())
		cmd.Env = append(cleanEnv(), c.env)
		out, err := cmd.CombinedOutput()
		cancel()
		if err == nil {
			t.Errorf("%s: started anyway", c.env)
			continue
		}
		if !strings.Contains(string(out), c.want) {
			t.Errorf("%s: output %q lacks %q", c.env, out, c.want)
		}
	}
}

func TestConfigCommandMasksSecrets(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run([]string{"config"}, []string{"BAZAAR_DATABASE_URL=postgres://shop:pa55word@db/shop"}, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if strings.Contains(out.String(), "pa55word") || !strings.Contains(out.String(), "postgres://shop:xxxxx@db/shop") {
		t.Fatalf("config output:\n%s", out.String())
	}
	out.Reset()
	if code := run([]string{"version"}, nil, &out, &errOut); code != 0 || !strings.HasPrefix(out.String(), "bazaar ") {
		t.Fatalf("version: %d %q", code, out.String())
	}
	out.Reset()
	if code := run([]string{"frobnicate"}, nil, &out, &errOut); code != 2 {
		t.Fatalf("unknown command exit %d", code)
	}
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)
