package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// Group commits many callers' small transactions as one (group commit).
// A transaction's fixed costs, BEGIN, COMMIT and, on SQLite, writing the
// pages it dirtied to the WAL, are most of what a short write costs; under
// load a Group pays them once for a whole batch.
//
// A caller queues its function (Queue); whoever finds a lane free takes
// everything queued (up to a maximum) and runs it in one transaction. On
// SQLite each function runs inside a savepoint of its own: a function that
// fails is rolled back alone, and its caller gets its error, while the
// others commit. On PostgreSQL a savepoint costs two round trips, as much
// as the statements of a small write: there the functions run without, and
// a function that fails rolls the batch back, which then runs again
// function by function (failures are expected to be rare).
// Batches form while the previous one commits, so a lone caller waits for
// nobody, and there is no goroutine of the Group's own. Up to lanes
// batches run at once (on PostgreSQL, more than one keeps the server's
// cores busy while a batch waits on its round trips; an SQLite file has one
// writer, so one lane).
//
// A function may run twice: if the batch's transaction fails as a whole
// (its commit, a savepoint, or on PostgreSQL any function), every function
// is run again in a transaction of its own, so each caller gets its own
// answer. Functions must therefore set what they report afresh on every
// run.
type Group struct {
	db    *DB
	lock  sync.Locker // held around each transaction, if set
	queue *Queue[*groupOp]
}

type groupOp struct {
	fn    func(ctx context.Context, tx *sql.Tx) error
	err   error
	panic any
}

// NewGroup returns a Group on db that puts at most maxBatch functions in one
// transaction and runs at most lanes transactions at once. lock, if not
// nil, is held around every transaction the Group runs (a store's queue of
// SQLite writers).
func NewGroup(db *DB, maxBatch, lanes int, lock sync.Locker) *Group {
	g := &Group{db: db, lock: lock}
	g.queue = NewQueue(maxBatch, lanes, g.run)
	return g
}

// InTx runs fn in a transaction, shared with other callers', and returns
// fn's error, or the transaction's if it could not commit. fn's ctx does
// not end when the caller's does (a batch belongs to all its callers: one
// hanging up must not abort the others); fn must run its statements under
// it. A panic in fn rolls fn back and is raised again in the caller.
func (g *Group) InTx(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	op := &groupOp{fn: fn}
	g.queue.Do(ctx, op)
	if op.panic != nil {
		panic(op.panic)
	}
	return op.err
}

// run runs a batch, under the Queue's context: no caller's, bounded by
// BatchTimeout.
func (g *Group) run(ctx context.Context, ops []*groupOp) {
	if g.lock != nil {
		g.lock.Lock()
		defer g.lock.Unlock()
	}
	if len(ops) > 1 {
		batch := runInSavepoints
		if g.db.Dialect() == Postgres {
			batch = runAll
		}
		if g.db.InTx(ctx, func(tx *sql.Tx) error { return batch(ctx, tx, ops) }) == nil {
			return
		}
	}
	// One caller, or a batch that failed as a whole: each on its own.
	for _, op := range ops {
		op.err, op.panic = nil, nil
		op.err = g.db.InTx(ctx, func(tx *sql.Tx) error { return op.call(ctx, tx) })
	}
}

// runInSavepoints runs each op in a savepoint of tx. An op's failure rolls
// back its savepoint only; an error returned fails the whole batch.
func runInSavepoints(ctx context.Context, tx *sql.Tx, ops []*groupOp) error {
	for _, op := range ops {
		if _, err := tx.ExecContext(ctx, "SAVEPOINT sqldb_group"); err != nil {
			return fmt.Errorf("savepoint: %w", err)
		}
		op.err, op.panic = nil, nil
		if op.err = op.call(ctx, tx); op.err != nil {
			if _, err := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT sqldb_group"); err != nil {
				return fmt.Errorf("rollback to savepoint: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT sqldb_group"); err != nil {
			return fmt.Errorf("release savepoint: %w", err)
		}
	}
	return nil
}

// runAll runs the ops one after another in tx; the first that fails fails
// the batch.
func runAll(ctx context.Context, tx *sql.Tx, ops []*groupOp) error {
	for _, op := range ops {
		op.err, op.panic = nil, nil
		if op.err = op.call(ctx, tx); op.err != nil {
			return op.err
		}
	}
	return nil
}

// errPanicked stands for a panic while the op's work is undone.
var errPanicked = fmt.Errorf("sqldb: the transaction's function panicked")

// call runs op's function, turning a panic into an error (the panic is
// raised again in the op's caller).
func (op *groupOp) call(ctx context.Context, tx *sql.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			op.panic, err = p, errPanicked
		}
	}()
	return op.fn(ctx, tx)
}

// Bound returns an Execer that runs every statement of q under ctx,
// whatever context its caller passes: for code written against callers'
// contexts that runs in a Group's function, whose statements must run
// under the batch's.
func Bound(ctx context.Context, q Execer) Execer { return bound{q: q, ctx: ctx} }

type bound struct {
	q   Execer
	ctx context.Context
}

func (b bound) ExecContext(_ context.Context, query string, args ...any) (sql.Result, error) {
	return b.q.ExecContext(b.ctx, query, args...)
}

func (b bound) QueryContext(_ context.Context, query string, args ...any) (*sql.Rows, error) {
	return b.q.QueryContext(b.ctx, query, args...)
}

func (b bound) QueryRowContext(_ context.Context, query string, args ...any) *sql.Row {
	return b.q.QueryRowContext(b.ctx, query, args...)
}
