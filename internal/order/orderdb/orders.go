package orderdb

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bazaarshop/bazaar/internal/order"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

// insertOrder does nothing when the id exists (Create tells by the rows
// affected); another unique column (number) still fails.
var insertOrder = func() string {
	q, _ := sqldb.MultiInsert("INSERT INTO orders ("+orderCols+") VALUES ", 14, 1)
	return q + " ON CONFLICT (id) DO NOTHING"
}()

// updateOrder writes every column but the id, guarded by the version read.
const updateOrder = `UPDATE orders SET number = $2, status = $3, customer_id = $4, email = $5, cart_id = $6,
	currency = $7, total_amount = $8, created_at = $9, updated_at = $10, payment_due = $11, version = $12,
	seq = $13, doc = $14
	WHERE id = $1 AND version = $15`

const selectOrder = `SELECT ` + orderCols + ` FROM orders`

// errNoChange unwinds a transaction whose function had nothing to write.
var errNoChange = errors.New("orderdb: no change")

// Current implements order.Store.
func (s *Store) Current(ctx context.Context, id string) (order.Order, error) {
	r, err := scanRecord(s.db.QueryRowContext(ctx, selectOrder+` WHERE id = $1`, id))
	if err != nil {
		return order.Order{}, err
	}
	return toCore(r)
}

// Order implements order.Store. The history is read up to the order's Seq,
// so that it matches the order even while an update commits in between.
func (s *Store) Order(ctx context.Context, id string) (order.Order, error) {
	if s.reads != nil { // PostgreSQL: one statement, with the reads beside it (read.go)
		return s.reads.Get(ctx, id, order.ErrOrderNotFound)
	}
	o, err := s.Current(ctx, id)
	if err != nil {
		return order.Order{}, err
	}
	if o.History, err = s.transitions(ctx, id, 0, o.Seq); err != nil {
		return order.Order{}, err
	}
	return o, nil
}

// History implements order.Store. An unknown order has none.
func (s *Store) History(ctx context.Context, id string, after int) ([]order.Transition, error) {
	return s.transitions(ctx, id, after, -1)
}

// transitions reads an order's transitions with after < Seq <= upTo
// (upTo < 0: no upper bound), oldest first; never nil.
func (s *Store) transitions(ctx context.Context, id string, after, upTo int) ([]order.Transition, error) {
	q := `SELECT seq, from_status, to_status, reason, actor, note, at FROM order_transitions
		WHERE order_id = $1 AND seq > $2`
	args := []any{id, after}
	if upTo >= 0 {
		q += ` AND seq <= $3`
		args = append(args, upTo)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY seq`, args...)
	if err != nil {
		return nil, fmt.Errorf("order %s history: %w", id, sqldb.MapError(err))
	}
	defer rows.Close()
	out := []order.Transition{}
	for rows.Next() {
		var t order.Transition
		var from, to string
		var at int64
		if err := rows.Scan(&t.Seq, &from, &to, &t.Reason, &t.Actor, &t.Note, &at); err != nil {
			return nil, fmt.Errorf("order %s history: %w", id, sqldb.MapError(err))
		}
		t.From, t.To, t.At = order.Status(from), order.Status(to), fromMicros(at)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("order %s history: %w", id, sqldb.MapError(err))
	}
	return out, nil
}

// Update implements order.Store. The order fn sees is read under the lock
// (a row lock on PostgreSQL, the write transaction on SQLite). When fn
// returns ErrNoChange or an error, the order returned is the one read,
// untouched by fn.
func (s *Store) Update(ctx context.Context, id string, fn func(o *order.Order, m *order.Mutation) error) (order.Order, error) {
	var out order.Order
	err := s.inWriteTx(ctx, func(tx *sql.Tx) error {
		read, err := scanRecord(tx.QueryRowContext(ctx, selectOrder+` WHERE id = $1`+s.forUpdate, id))
		if err != nil {
			return err
		}
		o, err := toCore(read)
		if err != nil {
			return err
		}
		m := &order.Mutation{}
		if err := fn(&o, m); err != nil {
			// fn may have changed o (and what its slices share): decode
			// the order as read again.
			out, _ = toCore(read)
			if errors.Is(err, order.ErrNoChange) {
				return errNoChange
			}
			return err
		}
		if o.ID != id {
			return fmt.Errorf("orderdb: update of order %s changed its id to %q", id, o.ID)
		}
		o.Version = read.Version + 1
		r, err := toDB(&o)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, updateOrder, append(r.args(), read.Version)...)
		if err != nil {
			return fmt.Errorf("update order %s: %w", id, sqldb.MapError(err))
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("update order %s: the row changed under the lock", id) // cannot happen while the lock holds
		}
		if err := writeMutation(ctx, tx, id, m); err != nil {
			return err
		}
		out = o
		return nil
	})
	if errors.Is(err, errNoChange) {
		return out, nil
	}
	return out, err
}

// List implements order.Store. The page token is the last order's
// (created_at, id), the key the listing is sorted on.
func (s *Store) List(ctx context.Context, f order.ListFilter) ([]order.Order, string, error) {
	var where []string
	var args []any
	add := func(cond string, vs ...any) {
		n := make([]any, len(vs))
		for i, v := range vs {
			args = append(args, v)
			n[i] = len(args)
		}
		where = append(where, fmt.Sprintf(cond, n...))
	}
	if f.Status != "" {
		add("status = $%d", string(f.Status))
	}
	if f.CustomerID != "" {
		add("customer_id = $%d", f.CustomerID)
	}
	if f.Email != "" {
		add("email = $%d", strings.ToLower(strings.TrimSpace(f.Email)))
	}
	if f.Number != "" {
		add("number = $%d", strings.TrimSpace(f.Number))
	}
	if !f.From.IsZero() {
		add("created_at >= $%d", micros(f.From))
	}
	if !f.To.IsZero() {
		add("created_at < $%d", micros(f.To))
	}
	if f.PageToken != "" {
		at, id, err := decodePageToken(f.PageToken)
		if err != nil {
			return nil, "", err
		}
		add("(created_at, id) < ($%d, $%d)", at, id)
	}
	size := f.PageSize
	if size <= 0 {
		size = defaultPageSize
	}
	size = min(size, maxPageSize)
	q := selectOrder
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	args = append(args, size+1)
	q += fmt.Sprintf(` ORDER BY created_at DESC, id DESC LIMIT $%d`, len(args))
	recs, err := s.query(ctx, "list orders", q, args...)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(recs) > size {
		recs = recs[:size]
		last := recs[size-1]
		next = encodePageToken(last.CreatedAt, last.ID)
	}
	out, err := orders(recs)
	return out, next, err
}

func encodePageToken(createdAt int64, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(createdAt, 10) + "," + id))
}

func decodePageToken(tok string) (int64, string, error) {
	if len(tok) > 256 {
		return 0, "", errPageToken.With("the page_token is too long")
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, "", errPageToken
	}
	at, id, ok := strings.Cut(string(b), ",")
	if !ok || id == "" {
		return 0, "", errPageToken
	}
	us, err := strconv.ParseInt(at, 10, 64)
	if err != nil {
		return 0, "", errPageToken
	}
	return us, id, nil
}

// Due implements order.Store. Orders without a PaymentDue are never due;
// a limit of zero or less means 100.
func (s *Store) Due(ctx context.Context, statuses []order.Status, before time.Time, limit int) ([]order.Order, error) {
	if len(statuses) == 0 {
		return []order.Order{}, nil
	}
	if limit <= 0 {
		limit = defaultDueLimit
	}
	args := []any{micros(before), limit}
	marks := make([]string, len(statuses))
	for i, st := range statuses {
		args = append(args, string(st))
		marks[i] = fmt.Sprintf("$%d", len(args))
	}
	recs, err := s.query(ctx, "due orders", selectOrder+` WHERE status IN (`+strings.Join(marks, ", ")+`)
		AND payment_due < $1 ORDER BY payment_due, id LIMIT $2`, args...)
	if err != nil {
		return nil, err
	}
	return orders(recs)
}

// Counts implements order.Store. Statuses without orders are left out.
func (s *Store) Counts(ctx context.Context) (map[order.Status]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT status, count(*) FROM orders GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("count orders: %w", sqldb.MapError(err))
	}
	defer rows.Close()
	out := map[order.Status]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("count orders: %w", sqldb.MapError(err))
		}
		out[order.Status(st)] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count orders: %w", sqldb.MapError(err))
	}
	return out, nil
}

// query reads the rows of a query of orderCols.
func (s *Store) query(ctx context.Context, what, q string, args ...any) ([]record, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, sqldb.MapError(err))
	}
	defer rows.Close()
	var out []record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, sqldb.MapError(err))
	}
	return out, nil
}

// orders decodes rows; never nil.
func orders(recs []record) ([]order.Order, error) {
	out := make([]order.Order, 0, len(recs))
	for _, r := range recs {
		o, err := toCore(r)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}
