package order

import (
	"context"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
)

// Store is what Core needs of storage (orderdb on SQLite or PostgreSQL).
// Rules live in Core; the store runs transactions and maps driver errors.
// An order is kept whole (lines, totals, addresses, payment, returns) and
// returned whole; History is filled by Order and History only.
type Store interface {
	// Create inserts o with the changes in m, atomically. An order with the
	// same id fails with ErrOrderExists and writes nothing.
	Create(ctx context.Context, o *Order, m *Mutation) error
	// Order returns an order with its history (ErrOrderNotFound).
	Order(ctx context.Context, id string) (Order, error)
	// Current returns an order without its history (ErrOrderNotFound): one
	// row, for the workers, which never show the history.
	Current(ctx context.Context, id string) (Order, error)
	// History returns an order's transitions with Seq > after, oldest first.
	History(ctx context.Context, id string, after int) ([]Transition, error)
	// Update runs fn on the order inside a transaction that holds it
	// locked, then writes the order (its Version bumped) and the changes fn
	// put in m. If fn returns an error nothing is written and the error is
	// returned. ErrNoChange from fn commits nothing and returns the order.
	Update(ctx context.Context, id string, fn func(o *Order, m *Mutation) error) (Order, error)
	// UpdateFrom is Update without reading the order first: fn runs on
	// known (the order as this process last read or wrote it, not shared
	// with anything fn must not change), and what it changes is written
	// only if the stored order is still at known.Version. If it is not, or
	// if fn returns an error (ErrNoChange too: that was decided on a copy
	// that may be old), it does what Update does, running fn again on the
	// stored order; so fn must set what it reports afresh on every run.
	UpdateFrom(ctx context.Context, known Order, fn func(o *Order, m *Mutation) error) (Order, error)
	// List returns a page of orders matching f (without history), newest
	// first, and the next page's token.
	List(ctx context.Context, f ListFilter) ([]Order, string, error)
	// Due lists orders in one of statuses whose PaymentDue is before t,
	// oldest first: the expiry sweeper's work.
	Due(ctx context.Context, statuses []Status, before time.Time, limit int) ([]Order, error)
	// Counts returns the number of orders per status (for tests, metrics
	// and the admin dashboard).
	Counts(ctx context.Context) (map[Status]int, error)
}

// ErrNoChange, returned by an Update function, leaves the order as it is
// without failing.
var ErrNoChange = errs.E(errs.KindInternal, "no_change", "nothing to change")

// Mutation is what one update writes besides the order, in the same
// transaction: history and outbox events.
type Mutation struct {
	Transitions []Transition
	Events      []Outgoing
}
