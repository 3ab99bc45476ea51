package identity

import (
	"context"
	"maps"
	"slices"
	"sort"
	"time"
)

// The consumers of order.paid, cart.item_added and the order mails record
// their events in batches: the events that arrive while a batch is being written form the
// next one, written in one transaction whose de-duplication marks are one
// statement and whose counters, pairs and behaviour are a few multi-row
// statements at its end. One event a transaction cost five statements and
// a commit each, and in a sale every purchase of the hot product waited
// for the one before it on that product's counter row; now a batch bumps
// the row once.

// maxConsumedBatch bounds a batch: its statements stay small, and one
// slow batch holds few messages.
const maxConsumedBatch = 128

// consumedConcurrency is how many events of each batched consumer are in
// hand at once: enough for batches to form while one is written.
const consumedConcurrency = 32

// consumedEvent is one event waiting to be recorded with a batch.
type consumedEvent struct {
	id     string
	record func(ctx context.Context, tx Store) error // what the event changes, in tx
	err    error                                     // the outcome, once its batch has run
}

// recordConsumed records an event with the next batch and returns once it
// is committed (or failed).
func (c *Core) recordConsumed(ctx context.Context, id string, record func(context.Context, Store) error) error {
	ev := &consumedEvent{id: id, record: record}
	c.consumed.Do(ctx, ev)
	return ev.err
}

// recordBatch writes a batch in one transaction. If that fails, each event
// is recorded on its own, so that one bad event fails alone and is retried
// (or dead-lettered) by itself.
func (c *Core) recordBatch(ctx context.Context, batch []*consumedEvent) {
	ids := make([]string, len(batch))
	for i, ev := range batch {
		ids[i] = ev.id
	}
	err := c.store.InTx(ctx, func(tx Store) error {
		first, err := tx.MarkProcessedAll(ctx, ids, c.now())
		if err != nil {
			return err
		}
		b := newBatchTx(tx, ids, first)
		for _, ev := range batch {
			if err := ev.record(ctx, b); err != nil {
				return err
			}
		}
		return b.flush(ctx)
	})
	if err == nil || len(batch) == 1 {
		for _, ev := range batch {
			ev.err = err
		}
		return
	}
	c.log().WarnContext(ctx, "identity: batch of consumed events failed; recording them one by one", "events", len(batch), "error", err)
	for _, ev := range batch {
		ev.err = c.store.InTx(ctx, func(tx Store) error { return ev.record(ctx, tx) })
	}
}

// batchTx is the Store a batch's events are recorded on: the batch's
// transaction, with the de-duplication marks made up front and the
// counters, pairs, behaviour and mails gathered for flush. Reads of behaviour see
// what earlier events of the batch added.
type batchTx struct {
	Store
	marked map[string]bool // event id -> still to be reported as new
	stats  []ProductStat
	pairs  map[EventKind][]Pair
	events []ActorEvent
	mails  []Mail
}

func newBatchTx(tx Store, ids []string, first map[string]bool) *batchTx {
	b := &batchTx{Store: tx, marked: make(map[string]bool, len(ids)), pairs: map[EventKind][]Pair{}}
	for _, id := range ids {
		b.marked[id] = first[id]
	}
	return b
}

func (b *batchTx) InTx(_ context.Context, fn func(Store) error) error { return fn(b) }

// MarkProcessed answers from the marks made for the batch: new the first
// time an id is asked about, not after (the same event twice in a batch).
func (b *batchTx) MarkProcessed(ctx context.Context, id string, at time.Time) (bool, error) {
	if isNew, ok := b.marked[id]; ok {
		b.marked[id] = false
		return isNew, nil
	}
	return b.Store.MarkProcessed(ctx, id, at)
}

func (b *batchTx) BumpStats(_ context.Context, bumps []ProductStat) error {
	b.stats = append(b.stats, bumps...)
	return nil
}

func (b *batchTx) BumpPairs(_ context.Context, kind EventKind, pairs []Pair) error {
	b.pairs[kind] = append(b.pairs[kind], pairs...)
	return nil
}

func (b *batchTx) AddEvents(_ context.Context, actor string, evs []Event) error {
	for _, e := range evs {
		b.events = append(b.events, ActorEvent{Actor: actor, Event: e})
	}
	return nil
}

func (b *batchTx) QueueMail(_ context.Context, m Mail) error {
	b.mails = append(b.mails, m)
	return nil
}

func (b *batchTx) AddActorEvents(_ context.Context, evs []ActorEvent) error {
	b.events = append(b.events, evs...)
	return nil
}

// RecentEvents is the stored behaviour with the batch's own added, the
// newest first (a later addition first among equal times, as stored ids
// order them).
func (b *batchTx) RecentEvents(ctx context.Context, actor string, limit int) ([]Event, error) {
	stored, err := b.Store.RecentEvents(ctx, actor, limit)
	if err != nil {
		return nil, err
	}
	var out []Event
	for _, e := range slices.Backward(b.events) {
		if e.Actor == actor {
			out = append(out, e.Event)
		}
	}
	if len(out) == 0 {
		return stored, nil
	}
	out = append(out, stored...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	return out[:min(len(out), limit)], nil
}

// flush writes what the batch gathered.
func (b *batchTx) flush(ctx context.Context) error {
	if len(b.stats) > 0 {
		if err := b.Store.BumpStats(ctx, b.stats); err != nil {
			return err
		}
	}
	for _, kind := range slices.Sorted(maps.Keys(b.pairs)) {
		if err := b.Store.BumpPairs(ctx, kind, b.pairs[kind]); err != nil {
			return err
		}
	}
	if len(b.events) > 0 {
		if err := b.Store.AddActorEvents(ctx, b.events); err != nil {
			return err
		}
	}
	return b.Store.QueueMails(ctx, b.mails)
}
