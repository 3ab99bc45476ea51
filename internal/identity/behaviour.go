package identity

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/bus"
	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// ErrNoActor is returned for behaviour of a guest without a device id.
var ErrNoActor = errs.Invalid("device_id_required", "sign in or send a device id (X-Device-Id) to record behaviour")

var productIDRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// Behaviour keeps this much history per shopper for pairing: a view pairs
// with the shopper's last pairViews distinct views of the past pairWindow,
// a purchase with their last pairPurchases distinct purchases.
const (
	pairViews     = 10
	pairPurchases = 20
	pairWindow    = 24 * time.Hour
	// a repeated view of one product within this long counts once.
	viewDedup = 30 * time.Minute
)

// actor names whose behaviour it is: the signed-in account, else the
// guest's device, else nobody ("").
func actor(ctx context.Context, deviceID string) string {
	if p, ok := authn.FromContext(ctx); ok && p.IsUser() {
		return userActor(p.UserID)
	}
	if ValidDeviceID(deviceID) {
		return deviceActor(deviceID)
	}
	return ""
}

// RecordEvent records a product view or a search of the caller or guest.
func (c *Core) RecordEvent(ctx context.Context, deviceID string, in EventInput) error {
	who := actor(ctx, deviceID)
	if who == "" {
		return ErrNoActor
	}
	var fe fieldErrs
	ev := Event{Kind: in.Type, At: c.now()}
	switch in.Type {
	case EventView:
		if !productIDRe.MatchString(in.ProductID) {
			fe.add("product_id", "is required: letters, digits, - and _, at most 64")
		}
		ev.ProductID = in.ProductID
	case EventSearch:
		q, msg := cleanText(in.Query, 200)
		if msg == "" && q == "" {
			msg = "is required"
		}
		if msg != "" {
			fe.add("query", msg)
		}
		ev.Query = q
	default:
		fe.add("type", "must be view or search")
	}
	if in.Category != "" {
		if !slugRe.MatchString(in.Category) {
			fe.add("category", "is not a category slug")
		}
		ev.Category = in.Category
	}
	if err := fe.err(); err != nil {
		return err
	}
	return c.store.InTx(ctx, func(tx Store) error {
		if ev.Kind == EventView {
			recent, err := tx.RecentEvents(ctx, who, 100)
			if err != nil {
				return err
			}
			if err := c.countView(ctx, tx, ev, recent); err != nil {
				return err
			}
		}
		return tx.AddEvents(ctx, who, []Event{ev})
	})
}

// countView adds a view to the product's counts and pairs it with the
// shopper's other recent views, unless it repeats a view just made.
func (c *Core) countView(ctx context.Context, tx Store, ev Event, recent []Event) error {
	var others []string
	seen := map[string]bool{ev.ProductID: true}
	for _, r := range recent {
		if r.Kind != EventView {
			continue
		}
		if r.ProductID == ev.ProductID && ev.At.Sub(r.At) < viewDedup {
			return nil
		}
		if ev.At.Sub(r.At) > pairWindow || len(others) == pairViews {
			break
		}
		if !seen[r.ProductID] {
			seen[r.ProductID] = true
			others = append(others, r.ProductID)
		}
	}
	if err := tx.BumpStats(ctx, countOf(ev.ProductID, ev.Category, EventView, 1)); err != nil {
		return err
	}
	return tx.BumpPairs(ctx, EventView, pairsWith(ev.ProductID, others))
}

func pairsWith(p string, others []string) []Pair {
	out := make([]Pair, 0, len(others))
	for _, o := range others {
		out = append(out, Pair{A: p, B: o, Count: 1})
	}
	return out
}

// Purchases is the caller's purchase history, the newest first.
func (c *Core) Purchases(ctx context.Context) ([]Purchase, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	return c.store.Purchases(ctx, p.UserID, 200)
}

// HandleOrderPaid records a paid order: the buyer's purchase history and
// behaviour, the products' sales counts and which products sell together.
// A redelivered event (same id) changes nothing.
func (c *Core) HandleOrderPaid(ctx context.Context, eventID string, o OrderPaid) error {
	return c.store.InTx(ctx, func(tx Store) error { return c.recordPaid(ctx, tx, eventID, o) })
}

// recordPaid is HandleOrderPaid in tx.
func (c *Core) recordPaid(ctx context.Context, tx Store, eventID string, o OrderPaid) error {
	who := ""
	switch {
	case o.UserID != "":
		who = userActor(o.UserID)
	case ValidDeviceID(o.DeviceID):
		who = deviceActor(o.DeviceID)
	}
	at := o.PaidAt.UTC().Truncate(time.Millisecond)
	if at.IsZero() {
		at = c.now()
	}
	first, err := tx.MarkProcessed(ctx, eventID, c.now())
	if err != nil || !first {
		return err
	}
	var products []string
	var evs []Event
	inOrder := map[string]bool{}
	// In product order, so concurrent consumers lock the same rows in
	// the same order and cannot deadlock.
	items := slices.Clone(o.Items)
	slices.SortFunc(items, func(a, b OrderItem) int { return strings.Compare(a.ProductID, b.ProductID) })
	for _, it := range items {
		if !productIDRe.MatchString(it.ProductID) || it.Quantity <= 0 {
			continue
		}
		cat := it.Category
		if !slugRe.MatchString(cat) {
			cat = ""
		}
		if err := tx.BumpStats(ctx, countOf(it.ProductID, cat, EventPurchase, it.Quantity)); err != nil {
			return err
		}
		evs = append(evs, Event{Kind: EventPurchase, ProductID: it.ProductID, Category: cat, Quantity: it.Quantity, At: at})
		if !inOrder[it.ProductID] {
			inOrder[it.ProductID] = true
			products = append(products, it.ProductID)
		}
	}
	// Pairs: within the order, and with what the buyer bought before.
	var pairs []Pair
	for i, a := range products {
		for _, b := range products[i+1:] {
			pairs = append(pairs, Pair{A: a, B: b, Count: 1})
		}
	}
	if who != "" {
		recent, err := tx.RecentEvents(ctx, who, 200)
		if err != nil {
			return err
		}
		var before []string
		seen := map[string]bool{}
		for _, r := range recent {
			if r.Kind == EventPurchase && !inOrder[r.ProductID] && !seen[r.ProductID] && len(before) < pairPurchases {
				seen[r.ProductID] = true
				before = append(before, r.ProductID)
			}
		}
		for _, p := range products {
			pairs = append(pairs, pairsWith(p, before)...)
		}
		if err := tx.AddEvents(ctx, who, evs); err != nil {
			return err
		}
	}
	if err := tx.BumpPairs(ctx, EventPurchase, pairs); err != nil {
		return err
	}
	if o.UserID == "" || o.OrderID == "" {
		return nil
	}
	return tx.SavePurchase(ctx, o.UserID, purchaseOf(o, at))
}

// HandleCartItemAdded records an add-to-cart.
func (c *Core) HandleCartItemAdded(ctx context.Context, eventID string, e CartItemAdded) error {
	if !productIDRe.MatchString(e.ProductID) {
		return nil // nothing to learn from it; retrying would not help
	}
	return c.store.InTx(ctx, func(tx Store) error { return c.recordCartAdd(ctx, tx, eventID, e) })
}

// recordCartAdd is HandleCartItemAdded in tx.
func (c *Core) recordCartAdd(ctx context.Context, tx Store, eventID string, e CartItemAdded) error {
	if !productIDRe.MatchString(e.ProductID) {
		return nil
	}
	who := ""
	switch {
	case e.UserID != "":
		who = userActor(e.UserID)
	case ValidDeviceID(e.DeviceID):
		who = deviceActor(e.DeviceID)
	}
	cat := e.Category
	if !slugRe.MatchString(cat) {
		cat = ""
	}
	at := e.At.UTC().Truncate(time.Millisecond)
	if at.IsZero() {
		at = c.now()
	}
	first, err := tx.MarkProcessed(ctx, eventID, c.now())
	if err != nil || !first {
		return err
	}
	if err := tx.BumpStats(ctx, countOf(e.ProductID, cat, EventCart, max(e.Quantity, 1))); err != nil {
		return err
	}
	if who == "" {
		return nil
	}
	return tx.AddEvents(ctx, who, []Event{{Kind: EventCart, ProductID: e.ProductID, Category: cat, Quantity: max(e.Quantity, 1), At: at}})
}

// RunConsumers consumes order.paid (purchase history, and the
// confirmation mail), order.shipped and order.refunded (mail) and
// cart.item_added from Options.Bus until ctx ends. Until the streams exist (their owners not started yet) it
// retries every few seconds.
func (c *Core) RunConsumers(ctx context.Context) error {
	if c.opts.Bus == nil {
		return errors.New("identity: RunConsumers needs Options.Bus")
	}
	specs := []struct {
		cfg    bus.ConsumerConfig
		handle func(context.Context, *bus.Msg) error
	}{
		{bus.ConsumerConfig{Stream: c.opts.OrdersStream, Durable: "identity-order-paid", Filter: c.opts.OrderPaidSubject, Concurrency: consumedConcurrency}, c.consumeOrderPaid},
		{bus.ConsumerConfig{Stream: c.opts.CartsStream, Durable: "identity-cart-item-added", Filter: c.opts.CartItemAddedSubject, Concurrency: consumedConcurrency}, c.consumeCartItemAdded},
		{bus.ConsumerConfig{Stream: c.opts.OrdersStream, Durable: "identity-order-mail-paid", Filter: c.opts.OrderPaidSubject, Concurrency: consumedConcurrency}, c.consumeOrderMail(OrderMailPaid)},
		{bus.ConsumerConfig{Stream: c.opts.OrdersStream, Durable: "identity-order-mail-shipped", Filter: c.opts.OrderShippedSubject, Concurrency: 4}, c.consumeOrderMail(OrderMailShipped)},
		{bus.ConsumerConfig{Stream: c.opts.OrdersStream, Durable: "identity-order-mail-refunded", Filter: c.opts.OrderRefundedSubject, Concurrency: 4}, c.consumeOrderMail(OrderMailRefunded)},
	}
	var running []*bus.Consumer
	defer func() {
		for _, r := range running {
			if err := r.Stop(); err != nil {
				c.log().Warn("identity: consumer stop", "error", err)
			}
		}
	}()
	pending := specs
	warned := false
	for len(pending) > 0 {
		var next = pending[:0:0]
		for _, s := range pending {
			cons, err := c.opts.Bus.Consume(ctx, s.cfg, s.handle)
			if err != nil {
				if !warned {
					c.log().WarnContext(ctx, "identity: cannot consume yet; retrying", "stream", s.cfg.Stream, "error", err)
				}
				next = append(next, s)
				continue
			}
			running = append(running, cons)
		}
		pending = next
		if len(pending) == 0 {
			break
		}
		warned = true
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(3 * time.Second):
		}
	}
	<-ctx.Done()
	return nil
}

func (c *Core) consumeOrderPaid(ctx context.Context, m *bus.Msg) error {
	ev, err := m.Event()
	if err != nil {
		return err
	}
	var o orderPaidEvent
	if err := ev.Decode(&o); err != nil {
		return fmt.Errorf("order.paid: %w", err)
	}
	id, paid := eventID(ev, m), o.orderPaid()
	return c.recordConsumed(ctx, id, func(ctx context.Context, tx Store) error { return c.recordPaid(ctx, tx, id, paid) })
}

// orderPaidEvent reads order.paid as the order service publishes it
// (order.Event: customer_id, at, and line totals) as well as in OrderPaid's
// own shape (user_id, paid_at, unit prices).
type orderPaidEvent struct {
	OrderPaid
	CustomerID string    `json:"customer_id"`
	At         time.Time `json:"at"`
	Items      []struct {
		OrderItem
		Total money.Money `json:"total"`
	} `json:"items"`
}

func (e orderPaidEvent) orderPaid() OrderPaid {
	o := e.OrderPaid
	if o.UserID == "" {
		o.UserID = e.CustomerID
	}
	if o.PaidAt.IsZero() {
		o.PaidAt = e.At
	}
	o.Items = make([]OrderItem, 0, len(e.Items))
	for _, it := range e.Items {
		item := it.OrderItem
		if item.Price.Valid() != nil && it.Total.Valid() == nil && item.Quantity > 0 {
			item.Price = money.Money{Amount: it.Total.Amount / int64(item.Quantity), Currency: it.Total.Currency}
		}
		o.Items = append(o.Items, item)
	}
	return o
}

func (c *Core) consumeCartItemAdded(ctx context.Context, m *bus.Msg) error {
	ev, err := m.Event()
	if err != nil {
		return err
	}
	var e CartItemAdded
	if err := ev.Decode(&e); err != nil {
		return fmt.Errorf("cart.item_added: %w", err)
	}
	id := eventID(ev, m)
	return c.recordConsumed(ctx, id, func(ctx context.Context, tx Store) error { return c.recordCartAdd(ctx, tx, id, e) })
}

// eventID is what a consumed event is de-duplicated by: its own id, else
// the message's, else its place in the stream.
func eventID(ev bus.Event, m *bus.Msg) string {
	switch {
	case ev.ID != "":
		return ev.ID
	case m.ID != "":
		return m.ID
	}
	return fmt.Sprintf("%s#%d", m.Subject, m.Seq)
}

// purchaseOf keeps what history needs of a paid order, with amounts that
// fail to parse (a producer's bug) as zero rather than as a poison message.
func purchaseOf(o OrderPaid, at time.Time) Purchase {
	cur := o.Total.Currency
	if o.Total.Valid() != nil {
		cur = "INR"
		o.Total = money.Money{Currency: cur}
	}
	items := make([]OrderItem, 0, len(o.Items))
	for _, it := range o.Items {
		if it.Price.Valid() != nil {
			it.Price = money.Money{Currency: cur}
		}
		items = append(items, it)
	}
	return Purchase{OrderID: o.OrderID, PaidAt: at, Total: o.Total, Items: items}
}
