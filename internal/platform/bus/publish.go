package bus

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/ids"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// PubAck is JetStream's receipt for a stored message.
type PubAck struct {
	Stream    string
	Seq       uint64 // the message's sequence in Stream
	Duplicate bool   // msgID was seen within the window; nothing new was stored
}

// Publish stores data on subject and returns once JetStream has it. msgID is
// the de-duplication id (sent as Nats-Msg-Id): a second publish with the same
// id within the stream's duplicate window is acknowledged with Duplicate set
// and not stored again. An empty msgID disables de-duplication. A subject no
// stream captures fails with ErrUnavailable (after a few quick retries, as
// during a leader election).
func (b *Bus) Publish(ctx context.Context, subject, msgID string, data []byte, h Header) (PubAck, error) {
	m := &nats.Msg{Subject: subject, Data: data, Header: nats.Header{}}
	for k, v := range h {
		m.Header[k] = v
	}
	var opts []jetstream.PublishOpt
	if msgID != "" {
		opts = append(opts, jetstream.WithMsgID(msgID))
	}
	ack, err := b.js.PublishMsg(ctx, m, opts...)
	if err != nil {
		return PubAck{}, ErrUnavailable.Wrap(fmt.Errorf("publish %s: %w", subject, err))
	}
	return PubAck{Stream: ack.Stream, Seq: ack.Sequence, Duplicate: ack.Duplicate}, nil
}

// Event is the envelope Bazaar services publish. ID is also the message's
// de-duplication id, so a consumer that records handled IDs gets effectively
// once processing. Type names the schema of Data ("catalog.product.updated");
// subjects route, types describe.
type Event struct {
	ID   string          `json:"id"`
	Type string          `json:"type"`
	Time time.Time       `json:"time"`
	Data json.RawMessage `json:"data"`
}

// NewEvent wraps data (marshalled to JSON) in an Event with a fresh UUIDv7 id
// and the current time.
func NewEvent(typ string, data any) (Event, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return Event{}, fmt.Errorf("event %s: %w", typ, err)
	}
	return Event{ID: ids.New(), Type: typ, Time: time.Now().UTC(), Data: raw}, nil
}

// Decode unmarshals the event's data into v.
func (e Event) Decode(v any) error {
	if err := json.Unmarshal(e.Data, v); err != nil {
		return fmt.Errorf("event %s %s: %w", e.Type, e.ID, err)
	}
	return nil
}

// PublishEvent publishes ev as JSON on subject with ev.ID as the
// de-duplication id.
func (b *Bus) PublishEvent(ctx context.Context, subject string, ev Event) (PubAck, error) {
	data, err := json.Marshal(ev)
	if err != nil {
		return PubAck{}, fmt.Errorf("event %s: %w", ev.Type, err)
	}
	return b.Publish(ctx, subject, ev.ID, data, nil)
}

// publishAllTimeout bounds PublishAll under a context without a deadline.
const publishAllTimeout = 5 * time.Second

// SubjectEvent is an event and the subject it is to be published on: what a
// store writes to its outbox with a change (outbox.EventMessages).
type SubjectEvent struct {
	Subject string
	Event   Event
}

// Outgoing is one message of PublishAll.
type Outgoing struct {
	Subject string
	MsgID   string // the de-duplication id, as for Publish
	Data    []byte
}

// PublishAll stores msgs as Publish does, without waiting for each one's
// receipt before sending the next (JetStream's asynchronous publish: one
// round trip for the lot instead of one each). It returns how many of
// msgs, counted from the first, are stored, and the first failure. A
// message after a failed one may have been stored too; sending it again
// with its MsgID is safe (JetStream drops the duplicate).
func (b *Bus) PublishAll(ctx context.Context, msgs []Outgoing) (int, error) {
	if _, ok := ctx.Deadline(); !ok {
		// As Publish does (JetStream's default): a receipt that never
		// comes must not hold the caller.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, publishAllTimeout)
		defer cancel()
	}
	futures := make([]jetstream.PubAckFuture, 0, len(msgs))
	var sendErr error
	for _, o := range msgs {
		m := &nats.Msg{Subject: o.Subject, Data: o.Data, Header: nats.Header{}}
		var opts []jetstream.PublishOpt
		if o.MsgID != "" {
			opts = append(opts, jetstream.WithMsgID(o.MsgID))
		}
		f, err := b.js.PublishMsgAsync(m, opts...)
		if err != nil {
			sendErr = ErrUnavailable.Wrap(fmt.Errorf("publish %s: %w", o.Subject, err))
			break
		}
		futures = append(futures, f)
	}
	stored := 0
	var ackErr error
	for i, f := range futures {
		select {
		case <-f.Ok():
			if ackErr == nil {
				stored++
			}
		case err := <-f.Err():
			if ackErr == nil {
				ackErr = ErrUnavailable.Wrap(fmt.Errorf("publish %s: %w", msgs[i].Subject, err))
			}
		case <-ctx.Done():
			if ackErr == nil {
				ackErr = ErrUnavailable.Wrap(fmt.Errorf("publish %s: %w", msgs[i].Subject, ctx.Err()))
			}
			return stored, ackErr
		}
	}
	if ackErr != nil {
		return stored, ackErr
	}
	return stored, sendErr
}
