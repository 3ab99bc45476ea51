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
