package orderdb

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/bazaarshop/bazaar/internal/cart"
	"github.com/bazaarshop/bazaar/internal/order"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

// orderCols are the columns of orders, in record order.
const orderCols = `id, number, status, customer_id, email, cart_id, currency, total_amount,
	created_at, updated_at, payment_due, version, seq, doc`

// record is an order as a row of orders.
type record struct {
	ID          string
	Number      string
	Status      string
	CustomerID  string
	Email       string // lower-cased: what List's email filter compares
	CartID      string
	Currency    string
	TotalAmount int64
	CreatedAt   int64 // Unix microseconds
	UpdatedAt   int64
	PaymentDue  sql.NullInt64
	Version     int
	Seq         int
	Doc         string // JSON of doc
}

// doc is what of an order has no column of its own. It has its own JSON
// names, written out here, because order.Order's are the API's and hide
// the service's bookkeeping (json:"-"); the nested types are stored in
// their own JSON. History is not here: it is order_transitions.
type doc struct {
	Email            string             `json:"email"` // as given
	Lines            []order.Line       `json:"lines"`
	Totals           order.Totals       `json:"totals"`
	ShippingAddress  cart.Address       `json:"shipping_address"`
	BillingAddress   *cart.Address      `json:"billing_address,omitempty"`
	Payment          order.PaymentInfo  `json:"payment"`
	Tracking         *order.Tracking    `json:"tracking,omitempty"`
	Returns          []order.Return     `json:"returns"`
	ExchangeOf       string             `json:"exchange_of,omitempty"`
	CanCancel        bool               `json:"can_cancel,omitempty"`
	CanReturn        bool               `json:"can_return,omitempty"`
	ReturnWindowEnds *time.Time         `json:"return_window_ends,omitempty"`
	PaidAt           *time.Time         `json:"paid_at,omitempty"`
	ShippedAt        *time.Time         `json:"shipped_at,omitempty"`
	DeliveredAt      *time.Time         `json:"delivered_at,omitempty"`
	TokenHash        string             `json:"token_hash,omitempty"`
	Request          *order.Request     `json:"request,omitempty"`
	Promotions       []string           `json:"promotions"`
	Refunds          []order.RefundNote `json:"refunds"`
}

// toDB makes o's row. Times are stored in UTC to the microsecond, in the
// columns and in the document alike; o is not changed.
func toDB(o *order.Order) (record, error) {
	d := doc{
		Email:            o.Email,
		Lines:            o.Lines,
		Totals:           o.Totals,
		ShippingAddress:  o.ShippingAddress,
		BillingAddress:   o.BillingAddress,
		Payment:          o.Payment,
		Tracking:         o.Tracking,
		Returns:          o.Returns,
		ExchangeOf:       o.ExchangeOf,
		CanCancel:        o.CanCancel,
		CanReturn:        o.CanReturn,
		ReturnWindowEnds: utcPtr(o.ReturnWindowEnds),
		PaidAt:           utcPtr(o.PaidAt),
		ShippedAt:        utcPtr(o.ShippedAt),
		DeliveredAt:      utcPtr(o.DeliveredAt),
		TokenHash:        o.TokenHash,
		Request:          o.Request,
		Promotions:       o.Promotions,
		Refunds:          o.Refunds,
	}
	if o.Returns != nil {
		d.Returns = make([]order.Return, len(o.Returns))
		for i, r := range o.Returns {
			r.CreatedAt, r.UpdatedAt = utc(r.CreatedAt), utc(r.UpdatedAt)
			d.Returns[i] = r
		}
	}
	if o.Request != nil {
		req := *o.Request
		req.AcceptedAt, req.PaymentDue = utc(req.AcceptedAt), utc(req.PaymentDue)
		d.Request = &req
	}
	if na := o.Payment.NextAction; na != nil && na.Expires != nil {
		c := *na
		c.Expires = utcPtr(na.Expires)
		d.Payment.NextAction = &c
	}
	b, err := json.Marshal(d)
	if err != nil {
		return record{}, fmt.Errorf("orderdb: encode order %s: %w", o.ID, err)
	}
	r := record{
		ID: o.ID, Number: o.Number, Status: string(o.Status), CustomerID: o.CustomerID,
		Email: strings.ToLower(o.Email), CartID: o.CartID, Currency: o.Currency, TotalAmount: o.Totals.Total.Amount,
		CreatedAt: micros(o.CreatedAt), UpdatedAt: micros(o.UpdatedAt), Version: o.Version, Seq: o.Seq, Doc: string(b),
	}
	if o.PaymentDue != nil {
		r.PaymentDue = sql.NullInt64{Int64: micros(*o.PaymentDue), Valid: true}
	}
	return r, nil
}

// toCore makes the order of a row, without its history.
func toCore(r record) (order.Order, error) {
	var d doc
	if err := json.Unmarshal([]byte(r.Doc), &d); err != nil {
		return order.Order{}, fmt.Errorf("orderdb: decode order %s: %w", r.ID, err)
	}
	o := order.Order{
		ID: r.ID, Number: r.Number, Status: order.Status(r.Status), CustomerID: r.CustomerID, Email: d.Email,
		CartID: r.CartID, Currency: r.Currency,
		Lines: d.Lines, Totals: d.Totals, ShippingAddress: d.ShippingAddress, BillingAddress: d.BillingAddress,
		Payment: d.Payment, Tracking: d.Tracking, Returns: d.Returns, ExchangeOf: d.ExchangeOf,
		CanCancel: d.CanCancel, CanReturn: d.CanReturn, ReturnWindowEnds: d.ReturnWindowEnds,
		CreatedAt: fromMicros(r.CreatedAt), UpdatedAt: fromMicros(r.UpdatedAt), PaymentDue: fromMicrosPtr(r.PaymentDue),
		PaidAt: d.PaidAt, ShippedAt: d.ShippedAt, DeliveredAt: d.DeliveredAt,
		TokenHash: d.TokenHash, Request: d.Request, Promotions: d.Promotions, Seq: r.Seq, Version: r.Version,
		Refunds: d.Refunds,
	}
	return o, nil
}

// args are r's values in orderCols order.
func (r *record) args() []any {
	return []any{r.ID, r.Number, r.Status, r.CustomerID, r.Email, r.CartID, r.Currency, r.TotalAmount,
		r.CreatedAt, r.UpdatedAt, r.PaymentDue, r.Version, r.Seq, r.Doc}
}

// dests are where a row of orderCols is scanned to.
func (r *record) dests() []any {
	return []any{&r.ID, &r.Number, &r.Status, &r.CustomerID, &r.Email, &r.CartID, &r.Currency, &r.TotalAmount,
		&r.CreatedAt, &r.UpdatedAt, &r.PaymentDue, &r.Version, &r.Seq, &r.Doc}
}

// scanRecord reads a row of orderCols.
func scanRecord(row sqldb.Scanner) (record, error) {
	var r record
	if err := row.Scan(r.dests()...); err != nil {
		if sqldb.IsNoRows(err) {
			return r, order.ErrOrderNotFound
		}
		return r, fmt.Errorf("read order: %w", sqldb.MapError(err))
	}
	return r, nil
}

func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

func fromMicrosPtr(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMicros(v.Int64)
	return &t
}

// utc is t as the store keeps it: UTC, to the microsecond. The zero time
// stays zero.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := utc(*t)
	return &u
}
