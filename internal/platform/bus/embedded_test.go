package bus_test

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/bus"
	"github.com/bazaarshop/bazaar/internal/platform/bus/bustest"
)

func TestEmbeddedHasNoPortByDefault(t *testing.T) {
	srv, err := bus.StartEmbedded(bus.EmbeddedOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	if u := srv.ClientURL(); u != "" {
		t.Fatalf("ClientURL = %q, want no listener", u)
	}
}

func TestEmbeddedListensOnLoopbackOnly(t *testing.T) {
	srv, err := bus.StartEmbedded(bus.EmbeddedOptions{Dir: t.TempDir(), Listen: ":0"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	u, err := url.Parse(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	if u.Hostname() != "127.0.0.1" || u.Port() == "0" || u.Port() == "4222" {
		t.Fatalf("ClientURL = %s, want 127.0.0.1 and a free port", u)
	}
	b, err := bus.Connect(context.Background(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Ready(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestEmbeddedRejectsBadListen(t *testing.T) {
	for _, addr := range []string{"4222", "127.0.0.1:x", "127.0.0.1:70000"} {
		if srv, err := bus.StartEmbedded(bus.EmbeddedOptions{Dir: t.TempDir(), Listen: addr}); err == nil {
			srv.Shutdown()
			t.Errorf("Listen %q accepted", addr)
		}
	}
}

func TestOpenEmbeddedOwnsServer(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	b, err := bus.Open(ctx, bus.Config{DataDir: dir, Name: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Ready(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.EnsureStream(ctx, bus.StreamConfig{Name: "KEEP", Subjects: []string{"keep.>"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Publish(ctx, "keep.x", "k", []byte("kept"), nil); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "nats", "jetstream")); err != nil {
		t.Fatalf("store not under <data-dir>/nats: %v", err)
	}
	// Close shut the server down and released the store: a second Open on
	// the same directory sees the message.
	b, err = bus.Open(ctx, bus.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	s, err := b.JetStream().Stream(ctx, "KEEP")
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.GetLastMsgForSubject(ctx, "keep.x")
	if err != nil || string(m.Data) != "kept" {
		t.Fatalf("after reopen: %v %v", m, err)
	}
}

func TestOpenNeedsURLOrDataDir(t *testing.T) {
	if _, err := bus.Open(context.Background(), bus.Config{}); err == nil {
		t.Fatal("Open with neither URL nor DataDir succeeded")
	}
}

func TestConnectFailsUnavailable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	// Port 1 on loopback: nothing listens, the dial is refused at once.
	_, err := bus.Connect(ctx, "nats://127.0.0.1:1")
	if !errors.Is(err, bus.ErrUnavailable) {
		t.Fatalf("Connect = %v, want ErrUnavailable", err)
	}
}

func TestReadyFailsWhenServerGone(t *testing.T) {
	srv, err := bus.StartEmbedded(bus.EmbeddedOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	b, err := srv.Connect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Ready(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv.Shutdown()
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if err := b.Ready(ctx); !errors.Is(err, bus.ErrUnavailable) {
		t.Fatalf("Ready after shutdown = %v, want ErrUnavailable", err)
	}
}

func TestPublishWithoutStreamFails(t *testing.T) {
	b := bustest.Embedded(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := b.Publish(ctx, "nobody.listens", "x", []byte("x"), nil)
	if !errors.Is(err, bus.ErrUnavailable) || !strings.Contains(err.Error(), "nobody.listens") {
		t.Fatalf("Publish = %v, want ErrUnavailable naming the subject", err)
	}
}

func BenchmarkPublish(b *testing.B) {
	bb := bustest.Embedded(b)
	cfg := bustest.Stream(b, bb, "bench")
	subj := bustest.Subject(cfg) + ".x"
	data := []byte(`{"id":"0190d6a8-0000-7000-8000-000000000000","type":"bench","data":{}}`)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		i++
		if _, err := bb.Publish(ctx, subj, "m"+strconv.Itoa(i), data, nil); err != nil {
			b.Fatal(err)
		}
	}
}
