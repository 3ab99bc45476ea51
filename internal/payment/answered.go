package payment

import (
	"context"
	"strings"
)

// AnsweredSuffix ends the subject of an event whose change was made by a
// caller that settles its own order from the call's answer (the order
// worker, with CallerSettles): "payment.captured.answered". Such a caller
// learns nothing from the event, so it consumes only "payment.*" and the
// bus does not deliver it what it already knows; the event is still
// published, under "payment.>", for anyone else. Webhooks, the reconciler,
// a shopper's confirmation and every call without the flag publish on the
// plain subject, which is how the order worker hears of what it did not
// do itself.
const AnsweredSuffix = ".answered"

type answeredKey struct{}

// answering marks ctx as a call whose caller settles from the answer, if
// the caller asked and may: a shopper's flag is ignored, so that a client
// cannot hide its confirmation from the order.
func answering(ctx context.Context, asked bool) context.Context {
	if !asked || !accessOf(ctx).trusted {
		return ctx
	}
	return context.WithValue(ctx, answeredKey{}, true)
}

func answered(ctx context.Context) bool {
	v, _ := ctx.Value(answeredKey{}).(bool)
	return v
}

// answeringStore moves the events of a call marked by answering to their
// answered subjects; the store itself writes whatever subjects it is given.
type answeringStore struct{ Store }

func (s answeringStore) CreateIntent(ctx context.Context, it *Intent, m *Mutation) error {
	if answered(ctx) {
		markAnswered(m)
	}
	return s.Store.CreateIntent(ctx, it, m)
}

func (s answeringStore) UpdateIntent(ctx context.Context, id string, fn func(it *Intent, m *Mutation) error) (Intent, error) {
	return s.Store.UpdateIntent(ctx, id, answeredFn(ctx, fn))
}

func (s answeringStore) UpdateIntentFrom(ctx context.Context, known Intent, fn func(it *Intent, m *Mutation) error) (Intent, error) {
	return s.Store.UpdateIntentFrom(ctx, known, answeredFn(ctx, fn))
}

func answeredFn(ctx context.Context, fn func(it *Intent, m *Mutation) error) func(it *Intent, m *Mutation) error {
	if !answered(ctx) {
		return fn
	}
	return func(it *Intent, m *Mutation) error {
		err := fn(it, m)
		markAnswered(m)
		return err
	}
}

// markAnswered suffixes m's events once (a store may run fn again on the
// same mutation).
func markAnswered(m *Mutation) {
	for i := range m.Events {
		if !strings.HasSuffix(m.Events[i].Subject, AnsweredSuffix) {
			m.Events[i].Subject += AnsweredSuffix
		}
	}
}
