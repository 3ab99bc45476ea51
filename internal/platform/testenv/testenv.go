// Package testenv finds the external servers tests may use. A test that needs
// one calls PostgresURL, NATSURL or RedisURL: when the variable is unset the
// test is skipped with a message saying so, so `make test` passes on a bare
// machine. CI sets BAZAAR_TEST_REQUIRE_EXTERNAL=1, which turns every such skip
// into a failure: a suite that silently skipped PostgreSQL would prove nothing.
package testenv

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
)

const (
	PostgresVar = "BAZAAR_TEST_POSTGRES_URL"
	NATSVar     = "BAZAAR_TEST_NATS_URL"
	RedisVar    = "BAZAAR_TEST_REDIS_URL"
	RequireVar  = "BAZAAR_TEST_REQUIRE_EXTERNAL"
	ChromiumVar = "BAZAAR_TEST_CHROMIUM"
)

// DefaultChromium is where Debian's chromium package puts the browser.
const DefaultChromium = "/usr/bin/chromium"

// PostgresURL returns the test PostgreSQL URL or skips the test.
func PostgresURL(t testing.TB) string { return need(t, PostgresVar, "PostgreSQL") }

// NATSURL returns the test NATS server URL or skips the test.
func NATSURL(t testing.TB) string { return need(t, NATSVar, "NATS") }

// RedisURL returns the test Redis URL or skips the test.
func RedisURL(t testing.TB) string { return need(t, RedisVar, "Redis") }

// Chromium returns the path of a Chromium binary for browser tests:
// BAZAAR_TEST_CHROMIUM, else Debian's /usr/bin/chromium when it exists. It
// skips the test when there is none, or fails it under
// BAZAAR_TEST_REQUIRE_EXTERNAL=1. Tests never download a browser.
func Chromium(t testing.TB) string {
	t.Helper()
	if v := os.Getenv(ChromiumVar); v != "" {
		if _, err := os.Stat(v); err != nil {
			t.Fatalf("%s=%s: %v", ChromiumVar, v, err)
		}
		return v
	}
	if _, err := os.Stat(DefaultChromium); err == nil {
		return DefaultChromium
	}
	if os.Getenv(RequireVar) != "" {
		t.Fatalf("no Chromium: %s is unset and %s is missing, but %s=1 (install it: apt-get install -y --no-install-recommends chromium)", ChromiumVar, DefaultChromium, RequireVar)
	}
	t.Skipf("skipping: needs Chromium; install Debian's chromium or set %s", ChromiumVar)
	return ""
}

func need(t testing.TB, name, what string) string {
	t.Helper()
	v := os.Getenv(name)
	if v != "" {
		return v
	}
	if os.Getenv(RequireVar) != "" {
		t.Fatalf("%s is unset but %s=1: this run must test against %s", name, RequireVar, what)
	}
	t.Skipf("skipping: needs external %s; set %s to run it", what, name)
	return ""
}

// Name returns a fresh lowercase identifier with prefix, for a schema,
// stream or key prefix that no other test shares.
func Name(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + "_" + hex.EncodeToString(b[:])
}
