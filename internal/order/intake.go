package order

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// The checkout idempotency records live in a JetStream key-value bucket,
// not in the order database: checkout must answer while that database is
// down. A record is created (atomically: the first request wins) when a
// checkout starts; the request on the bus under the record's order id is
// what says it was answered (the intake sweep later marks the record done,
// off the checkout path). A failed checkout deletes its record, after
// undoing its holds, so the key may be tried again.
const (
	intakeBucket = "CHECKOUT_KEYS"
	intakeTTL    = 24 * time.Hour
)

type intakeState string

const (
	intakeClaimed intakeState = "claimed"
	intakeDone    intakeState = "done"
)

// intakeRecord is one Idempotency-Key's record.
type intakeRecord struct {
	State       intakeState `json:"state"`
	Fingerprint string      `json:"fingerprint"`
	OrderID     string      `json:"order_id"`
	Number      string      `json:"number"`
	// Token is a guest order's token, kept so that a replay answers the
	// same; the record expires with the bucket's TTL.
	Token     string    `json:"token,omitempty"`
	ClaimedAt time.Time `json:"claimed_at"`
	// resumed: the claim was taken over from a process that died, which
	// may have held stock and promotions already.
	resumed bool
}

// intake holds the bucket, opened on first use.
type intake struct {
	mu sync.Mutex
	kv jetstream.KeyValue
}

func (c *Core) keys(ctx context.Context) (jetstream.KeyValue, error) {
	if c.opts.Bus == nil {
		return nil, ErrIntakeUnavailable.With("no bus is configured")
	}
	c.in.mu.Lock()
	defer c.in.mu.Unlock()
	if c.in.kv != nil {
		return c.in.kv, nil
	}
	kv, err := c.opts.Bus.JetStream().CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket: intakeBucket, TTL: intakeTTL, History: 1,
		Description: "checkout Idempotency-Keys: claims and answers",
	})
	if err != nil {
		return nil, ErrIntakeUnavailable.Wrap(fmt.Errorf("open %s: %w", intakeBucket, err))
	}
	c.in.kv = kv
	return kv, nil
}

// keyOf names a record: the caller's scope and key, hashed (keys are the
// client's free text; bucket keys allow few characters).
func keyOf(scope, key string) string {
	h := sha256.Sum256([]byte(scope + "\x00" + key))
	return hex.EncodeToString(h[:])
}

// claim takes the key for this checkout, or says why it cannot: the
// answer to replay (done), ErrKeyReused, ErrCheckoutInProgress. A claim
// abandoned by a crashed process is taken over with its order id, so the
// retry reuses the holds the first attempt made.
func (c *Core) claim(ctx context.Context, kv jetstream.KeyValue, key, fingerprint string, guest bool) (rec intakeRecord, rev uint64, replay *Accepted, err error) {
	now := c.now()
	for range 3 {
		rec = intakeRecord{State: intakeClaimed, Fingerprint: fingerprint, OrderID: newOrderID(), Number: "", ClaimedAt: now}
		rec.Number = numberOf(rec.OrderID)
		if guest {
			rec.Token = newToken()
		}
		raw, _ := json.Marshal(rec)
		rev, err = kv.Create(ctx, key, raw)
		if err == nil {
			return rec, rev, nil, nil
		}
		if !errors.Is(err, jetstream.ErrKeyExists) {
			return rec, 0, nil, ErrIntakeUnavailable.Wrap(err)
		}
		entry, gerr := kv.Get(ctx, key)
		if errors.Is(gerr, jetstream.ErrKeyNotFound) {
			continue // deleted meanwhile: try to create again
		}
		if gerr != nil {
			return rec, 0, nil, ErrIntakeUnavailable.Wrap(gerr)
		}
		var old intakeRecord
		if json.Unmarshal(entry.Value(), &old) != nil {
			return rec, 0, nil, ErrIntakeUnavailable.With("a checkout record is unreadable")
		}
		if old.Fingerprint != fingerprint {
			return rec, 0, nil, ErrKeyReused
		}
		// Answered already: marked so by the intake sweep, or its request
		// is on the bus (a checkout does not update its record on the way
		// out, one write fewer). The answer follows from the record.
		if old.State == intakeDone || c.published(ctx, old.OrderID) {
			acc := acceptedOf(old)
			return old, entry.Revision(), &acc, nil
		}
		switch {
		case now.Sub(old.ClaimedAt) < c.opts.IntakeTimeout:
			return rec, 0, nil, ErrCheckoutInProgress
		}
		// Abandoned: take it over, keeping the order id.
		old.ClaimedAt = now
		raw, _ = json.Marshal(old)
		rev, err = kv.Update(ctx, key, raw, entry.Revision())
		if err == nil {
			old.resumed = true
			return old, rev, nil, nil
		}
		// Someone else took it over or finished it first: look again.
	}
	return rec, 0, nil, ErrCheckoutInProgress
}

// Checkout implements Service.
func (c *Core) Checkout(ctx context.Context, in CheckoutInput) (Accepted, error) {
	if in.IdempotencyKey == "" {
		return Accepted{}, ErrIdempotencyKeyRequired
	}
	if err := c.validateCheckout(ctx, &in); err != nil {
		return Accepted{}, err
	}
	if in.Fingerprint == "" {
		in.Fingerprint = fingerprintOf(in)
	}
	kv, err := c.keys(ctx)
	if err != nil {
		return Accepted{}, err
	}
	key := keyOf(in.Scope, in.IdempotencyKey)
	// Price first: a checkout refused at this point (sold out, a changed
	// cart) holds nothing and needs no record, which keeps a flash sale's
	// thousands of refusals to reads. Unless the key was used before: a
	// retry of an accepted checkout finds its cart closed, and must get
	// the first answer instead.
	p, perr := c.price(ctx, in)
	if perr != nil {
		if _, gerr := kv.Get(ctx, key); gerr != nil {
			return Accepted{}, perr
		}
	}
	rec, rev, replay, err := c.claim(ctx, kv, key, in.Fingerprint, customerOf(ctx) == "")
	if err != nil {
		return Accepted{}, err
	}
	if replay != nil {
		return *replay, nil
	}
	if perr != nil {
		// The first attempt under this key died before answering; this
		// one cannot go on either: release what the first may hold.
		if uerr := c.undoIntake(context.WithoutCancel(ctx), rec.OrderID); uerr == nil {
			_ = kv.Delete(context.WithoutCancel(ctx), key, jetstream.LastRevision(rev))
		}
		return Accepted{}, perr
	}
	held := rec.resumed
	acc, err := c.accept(ctx, in, rec, p, &held)
	if err != nil {
		// Nothing was published: give back what was held, then free the
		// key. If the undo fails the claim stays, and the abandoned-claim
		// sweep undoes it later. (A checkout refused before it held
		// anything, like most of a flash sale's, has nothing to undo.)
		if !held {
			_ = kv.Delete(context.WithoutCancel(ctx), key, jetstream.LastRevision(rev))
			return Accepted{}, err
		}
		if uerr := c.undoIntake(context.WithoutCancel(ctx), rec.OrderID); uerr != nil {
			c.log.Error("checkout: undo failed; the intake sweep will retry", "order_id", rec.OrderID, "err", uerr)
			return Accepted{}, err
		}
		_ = kv.Delete(context.WithoutCancel(ctx), key, jetstream.LastRevision(rev))
		return Accepted{}, err
	}
	return acc, nil
}

// undoIntake releases what an unfinished checkout held under orderID.
func (c *Core) undoIntake(ctx context.Context, orderID string) error {
	sctx := serviceCtx(ctx)
	if _, err := c.opts.Stock.Release(sctx, orderID); err != nil && !isNotFound(err) {
		return fmt.Errorf("release stock: %w", err)
	}
	if err := c.opts.Carts.ReleaseRedemption(sctx, orderID); err != nil && !isNotFound(err) {
		return fmt.Errorf("release redemption: %w", err)
	}
	return nil
}

// publishRequest writes an accepted request to the bus, de-duplicated by
// the order id.
func (c *Core) publishRequest(ctx context.Context, r Request) error {
	raw, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if _, err := c.opts.Bus.Publish(ctx, requestSubject(r.OrderID), r.OrderID, raw, nil); err != nil {
		return ErrIntakeUnavailable.Wrap(err)
	}
	return nil
}

// requestSubject is where an order's request is published: one subject
// per order, so that the request can be read back by id before a worker
// has created the order.
func requestSubject(orderID string) string { return SubjectRequested + "." + orderID }

// published reports whether the order's request is on the bus.
func (c *Core) published(ctx context.Context, orderID string) bool {
	_, err := c.acceptedRequest(ctx, orderID)
	return err == nil
}

// acceptedRequest reads an order's request back from the bus
// (ErrOrderNotFound when there is none).
func (c *Core) acceptedRequest(ctx context.Context, orderID string) (Request, error) {
	if c.opts.Bus == nil {
		return Request{}, ErrOrderNotFound
	}
	st, err := c.opts.Bus.JetStream().Stream(ctx, Stream.Name)
	if err != nil {
		return Request{}, ErrOrderNotFound
	}
	msg, err := st.GetLastMsgForSubject(ctx, requestSubject(orderID))
	if err != nil {
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return Request{}, ErrOrderNotFound
		}
		return Request{}, ErrOrderUnavailable.Wrap(err)
	}
	var r Request
	if err := json.Unmarshal(msg.Data, &r); err != nil {
		return Request{}, fmt.Errorf("order request %s: %w", orderID, err)
	}
	return r, nil
}

// fingerprintOf hashes what the shopper asked for, for callers that did not
// (in-process callers; the HTTP server hashes the body).
func fingerprintOf(in CheckoutInput) string {
	raw, _ := json.Marshal(in)
	h := sha256.Sum256(append(raw, in.CartToken...))
	return hex.EncodeToString(h[:])
}

func newToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(t string) string {
	if t == "" {
		return ""
	}
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}
