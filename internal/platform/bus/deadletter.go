package bus

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
)

// Headers a dead-lettered message carries besides the original's own
// (minus JetStream's Nats-* control headers).
const (
	HeaderDLQError    = "Bazaar-Dlq-Error"    // the last handler error
	HeaderDLQSubject  = "Bazaar-Dlq-Subject"  // the original subject
	HeaderDLQStream   = "Bazaar-Dlq-Stream"   // the original stream
	HeaderDLQConsumer = "Bazaar-Dlq-Consumer" // the durable that gave up
	HeaderDLQSeq      = "Bazaar-Dlq-Seq"      // the sequence in the original stream
	HeaderDLQAttempts = "Bazaar-Dlq-Attempts" // deliveries made
	HeaderDLQMsgID    = "Bazaar-Dlq-Msg-Id"   // the original de-duplication id
)

// maxHeaderError keeps a runaway error message from bloating the header.
const maxHeaderError = 1024

// deadLetter copies m to the dead-letter subject and then terminates it on
// the original consumer. If the copy fails the message is nakked instead,
// so it is never dropped without a copy.
func (c *Consumer) deadLetter(log *slog.Logger, m *Msg, cause error) {
	h := nats.Header{}
	for k, v := range m.Header {
		if !strings.HasPrefix(k, "Nats-") {
			h[k] = v
		}
	}
	h.Set(HeaderDLQError, headerSafe(cause.Error()))
	h.Set(HeaderDLQSubject, m.Subject)
	h.Set(HeaderDLQStream, c.cfg.Stream)
	h.Set(HeaderDLQConsumer, c.cfg.Durable)
	h.Set(HeaderDLQSeq, strconv.FormatUint(m.Seq, 10))
	h.Set(HeaderDLQAttempts, strconv.Itoa(m.Attempt))
	if m.ID != "" {
		h.Set(HeaderDLQMsgID, m.ID)
	}
	// The id makes a retried copy (publish succeeded, term was lost) a
	// duplicate rather than a second dead letter.
	id := fmt.Sprintf("dlq:%s:%s:%d", c.cfg.Stream, c.cfg.Durable, m.Seq)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.b.Publish(ctx, c.cfg.DeadLetterSubject, id, m.Data, h); err != nil {
		delay := c.cfg.backoff(m.Attempt)
		log.Error("bus: dead-letter publish failed; will retry", "err", err, "cause", cause, "retry_in", delay)
		_ = m.raw.NakWithDelay(delay)
		return
	}
	log.Error("bus: message dead-lettered", "err", cause, "dlq_subject", c.cfg.DeadLetterSubject)
	// Plain Term: servers before 2.10 ignore TermWithReason altogether.
	if err := m.raw.Term(); err != nil {
		log.Warn("bus: term failed; the message will be redelivered and dead-lettered again (deduplicated)", "err", err)
	}
}

// headerSafe removes what a NATS header value cannot hold.
func headerSafe(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, s)
	if len(s) > maxHeaderError {
		s = strings.ToValidUTF8(s[:maxHeaderError], "")
	}
	return s
}
