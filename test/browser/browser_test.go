// Package browser_test runs the storefront's end-to-end journeys in a real
// headless Chromium against the real binary: it builds bazaar, starts it on a
// free port with a fresh data dir (the demo catalogue seeded), and runs each
// journey script in web/storefront/e2e with node and playwright-core.
//
// It needs Chromium (BAZAAR_TEST_CHROMIUM, or Debian's /usr/bin/chromium),
// node, and the storefront built with its npm packages installed (`make
// storefront`; `make test` does it first). Screenshots of every page land in
// test/browser/screenshots (git-ignored).
package browser_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/testenv"
)

// journeys are the scripts in web/storefront/e2e and the viewport each runs in.
var journeys = []struct {
	name, script, viewport string
}{
	{"shopper desktop", "shopper.mjs", "1280x900"},
	{"declined card, 3-D Secure, exchange and UPI", "declined.mjs", "1280x900"},
	{"network down, then cancel a paid order", "cancel.mjs", "1280x900"},
	{"shopper phone", "shopper.mjs", "360x740"},
}

const (
	adminEmail    = "e2e-admin@example.com"
	adminPassword = "a long admin passphrase for e2e"
	coupon        = "E2E10"
)

func TestStorefrontJourneys(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: the browser journeys take a minute (-short)")
	}
	chromium := testenv.Chromium(t)
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv(testenv.RequireVar) != "" {
			t.Fatalf("node is not installed but %s=1", testenv.RequireVar)
		}
		t.Skip("skipping: needs node (20+)")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "internal/storefront/dist/index.html")); err != nil {
		t.Fatal("the storefront is not built (internal/storefront/dist has no index.html): run make storefront")
	}
	if _, err := os.Stat(filepath.Join(root, "web/storefront/node_modules/playwright-core")); err != nil {
		t.Fatal("the storefront's npm packages are not installed: run make storefront")
	}

	bin := filepath.Join(t.TempDir(), "bazaar")
	build := exec.Command("go", "build", "-o", bin, "./cmd/bazaar")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	base := startShop(t, bin)
	createCoupon(t, base)

	shots := filepath.Join(root, "test/browser/screenshots")
	for _, j := range journeys {
		t.Run(j.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, node, filepath.Join("e2e", j.script))
			cmd.Dir = filepath.Join(root, "web/storefront")
			cmd.Env = append(os.Environ(),
				"BASE_URL="+base, "CHROMIUM="+chromium, "SHOTS="+shots, "VIEWPORT="+j.viewport, "COUPON="+coupon,
				"ADMIN_EMAIL="+adminEmail, "ADMIN_PASSWORD="+adminPassword)
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			err := cmd.Run()
			t.Log("\n" + out.String())
			if err != nil {
				t.Fatalf("%s (%s): %v; screenshots in %s", j.script, j.viewport, err, shots)
			}
		})
	}
}

// startShop runs the binary with a fresh data dir on a free port, with an
// admin account made beforehand, and returns its base URL once it is ready.
func startShop(t *testing.T, bin string) string {
	t.Helper()
	data := t.TempDir()
	// The shop's own settings only: a BAZAAR_* variable of the machine must
	// not point this test at another database.
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "BAZAAR_") {
			env = append(env, kv)
		}
	}
	admin := exec.Command(bin, "admin", "create", "--email", adminEmail, "--data-dir", data)
	admin.Env = env
	admin.Stdin = strings.NewReader(adminPassword + "\n")
	if out, err := admin.CombinedOutput(); err != nil {
		t.Fatalf("bazaar admin create: %v\n%s", err, out)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	logPath := filepath.Join(t.TempDir(), "bazaar.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	srv := exec.Command(bin, "serve", "--addr", addr, "--data-dir", data, "--log-format", "json")
	srv.Env = env
	srv.Stdout, srv.Stderr = logFile, logFile
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = srv.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- srv.Wait() }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = srv.Process.Kill()
			<-done
		}
		logFile.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			if len(b) > 20000 {
				b = b[len(b)-20000:]
			}
			t.Logf("bazaar log (tail):\n%s", b)
		}
	})

	base := "http://" + addr
	deadline := time.Now().Add(2 * time.Minute)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("bazaar at %s was not ready within 2 minutes (last error %v)", base, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// createCoupon makes the promotion the journeys apply (the demo seed has none).
func createCoupon(t *testing.T, base string) {
	t.Helper()
	var session struct {
		Token string `json:"token"`
	}
	post(t, base+"/api/v1/auth/signin", "", map[string]any{"email": adminEmail, "password": adminPassword, "session": "bearer"}, &session)
	post(t, base+"/api/v1/admin/promotions", session.Token, map[string]any{
		"name": "10% off for testers", "kind": "percentage", "percent_bp": 1000, "code": coupon, "enabled": true,
	}, nil)
}

func post(t *testing.T, url, bearer string, body, out any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	rb, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		t.Fatalf("POST %s: %d %s", url, resp.StatusCode, rb)
	}
	if out != nil {
		if err := json.Unmarshal(rb, out); err != nil {
			t.Fatal(fmt.Errorf("POST %s: %w", url, err))
		}
	}
}
