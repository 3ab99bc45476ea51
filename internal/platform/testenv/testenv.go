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
)

// PostgresURL returns the test PostgreSQL URL or skips the test.
func PostgresURL(t testing.TB) string { return need(t, PostgresVar, "PostgreSQL") }

// NATSURL returns the test NATS server URL or skips the test.
func NATSURL(t testing.TB) string { return need(t, NATSVar, "NATS") }

// RedisURL returns the test Redis URL or skips the test.
func RedisURL(t testing.TB) string { return need(t, RedisVar, "Redis") }

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
