// Package bustest gives tests a real JetStream: an embedded server in a
// temporary directory, or the external test server named by
// BAZAAR_TEST_NATS_URL, with streams that no other test run shares.
package bustest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/bus"
	"github.com/bazaarshop/bazaar/internal/platform/testenv"
	"github.com/nats-io/nats.go/jetstream"
)

// ForEachMode runs fn as a subtest on an embedded server and, when the test
// NATS is configured, on the external one.
func ForEachMode(t *testing.T, fn func(t *testing.T, b *bus.Bus)) {
	t.Helper()
	t.Run("embedded", func(t *testing.T) { fn(t, Embedded(t)) })
	t.Run("external", func(t *testing.T) { fn(t, External(t)) })
}

// Embedded starts an embedded server with its store in a temporary
// directory and returns a Bus on it; both are closed at cleanup.
func Embedded(t testing.TB) *bus.Bus {
	t.Helper()
	srv, err := bus.StartEmbedded(bus.EmbeddedOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatalf("start embedded nats: %v", err)
	}
	t.Cleanup(srv.Shutdown)
	b, err := srv.Connect(context.Background())
	if err != nil {
		t.Fatalf("connect embedded nats: %v", err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// External connects to the test NATS server, closed at cleanup; it skips
// when none is configured.
func External(t testing.TB) *bus.Bus {
	t.Helper()
	url := testenv.NATSURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	b, err := bus.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect %s: %v", url, err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// Stream creates a stream with a unique name ("<PREFIX>_<hex>") capturing
// "<name>.>", lowercased, and returns its config. At cleanup the stream and
// its dead letters (dlq.<name>.>) are deleted, so a shared external server
// keeps nothing. Register consumers' Stop after calling Stream, so that they
// stop before the stream goes.
func Stream(t testing.TB, b *bus.Bus, prefix string) bus.StreamConfig {
	t.Helper()
	name := testenv.Name(strings.ToUpper(prefix))
	cfg := bus.StreamConfig{Name: name, Subjects: []string{strings.ToLower(name) + ".>"}}
	ctx := context.Background()
	if err := b.EnsureStream(ctx, cfg); err != nil {
		t.Fatalf("create stream: %v", err)
	}
	t.Cleanup(func() { Cleanup(t, b, name) })
	return cfg
}

// Cleanup deletes stream name and purges its dead letters.
func Cleanup(t testing.TB, b *bus.Bus, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := b.DeleteStream(ctx, name); err != nil {
		t.Errorf("delete stream %s: %v", name, err)
	}
	dlq, err := b.JetStream().Stream(ctx, bus.DeadLetterStream.Name)
	if err != nil {
		return // no dead-letter stream, nothing to purge
	}
	if err := dlq.Purge(ctx, jetstream.WithPurgeSubject("dlq."+name+".>")); err != nil {
		t.Errorf("purge dead letters of %s: %v", name, err)
	}
}

// Subject is the first subject token of a Stream config: publish on
// Subject(cfg)+".something".
func Subject(cfg bus.StreamConfig) string {
	return strings.TrimSuffix(cfg.Subjects[0], ".>")
}

// Wait polls cond every 10ms until it returns true or timeout passes, then
// fails the test with msg.
func Wait(t testing.TB, timeout time.Duration, msg string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, msg)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
