package logging_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/bazaarshop/bazaar/internal/platform/logging"
)

func TestContextAttributesOnEveryLine(t *testing.T) {
	var buf bytes.Buffer
	log := logging.New(&buf, logging.FormatJSON, slog.LevelDebug)
	ctx := logging.With(context.Background(), "request_id", "r-1")
	ctx = logging.With(ctx, "order_id", "o-9")
	log.InfoContext(ctx, "one")
	log.With("svc", "cart").DebugContext(ctx, "two")
	log.Info("three") // no context: no attributes
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines", len(lines))
	}
	for i, line := range lines[:2] {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		if m["request_id"] != "r-1" || m["order_id"] != "o-9" {
			t.Errorf("line %d lacks the context attributes: %s", i, line)
		}
	}
	if strings.Contains(lines[2], "r-1") {
		t.Errorf("attributes leaked into a line without the context: %s", lines[2])
	}
}

func TestLevelsAndFormats(t *testing.T) {
	if _, err := logging.ParseLevel("loud"); err == nil {
		t.Error("unknown level accepted")
	}
	l, err := logging.ParseLevel("warn")
	if err != nil || l != slog.LevelWarn {
		t.Errorf("warn: %v %v", l, err)
	}
	var buf bytes.Buffer
	logging.New(&buf, logging.FormatText, slog.LevelInfo).Info("hello", "k", "v")
	if !strings.Contains(buf.String(), "msg=hello k=v") {
		t.Errorf("text format: %q", buf.String())
	}
	buf.Reset()
	logging.New(&buf, logging.FormatAuto, slog.LevelInfo).Info("hello") // a buffer is no terminal: JSON
	if !strings.HasPrefix(buf.String(), "{") {
		t.Errorf("auto on a non-terminal should be JSON: %q", buf.String())
	}
}
