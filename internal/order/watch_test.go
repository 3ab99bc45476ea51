package order_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/order"
	"github.com/bazaarshop/bazaar/internal/order/orderdb"
	"github.com/bazaarshop/bazaar/internal/platform/bus"
	"github.com/bazaarshop/bazaar/internal/platform/bus/bustest"
	"github.com/bazaarshop/bazaar/internal/platform/ids"
	"github.com/bazaarshop/bazaar/internal/platform/money"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb/sqldbtest"
)

// An order event published by another process wakes this process's
// watchers of that order, and only theirs.
func TestFollowBusWakesWatchers(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b := bustest.Embedded(t)
	if err := b.EnsureStream(ctx, order.Stream); err != nil {
		t.Fatal(err)
	}
	core, err := order.NewCore(orderdb.New(sqldbtest.OpenSQLite(t)), order.Options{Bus: b})
	if err != nil {
		t.Fatal(err)
	}
	before := b.Conn().NumSubscriptions()
	mine, other := ids.New(), ids.New()
	woke, stop := core.Watch(mine)
	quiet, stopOther := core.Watch(other)
	done := make(chan error, 1)
	go func() { done <- core.FollowBus(ctx) }()
	time.Sleep(100 * time.Millisecond) // the subscription is in place

	ev, err := bus.NewEvent(order.EventPaid, order.Event{OrderID: mine, Status: order.StatusPaid, Total: money.MustNew(129900, "INR")})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(ev)
	if _, err := b.Publish(ctx, order.EventPaid, ev.ID, raw, nil); err != nil {
		t.Fatal(err)
	}
	select {
	case <-woke:
	case <-time.After(5 * time.Second):
		t.Fatal("the paid event did not wake the order's watcher")
	}
	// A request names its order by subject.
	if _, err := b.Publish(ctx, order.SubjectRequested+"."+other, other, []byte(`{}`), nil); err != nil {
		t.Fatal(err)
	}
	select {
	case <-quiet:
	case <-time.After(5 * time.Second):
		t.Fatal("the request did not wake its order's watcher")
	}
	select {
	case <-woke:
		t.Fatal("another order's request woke this watcher")
	case <-time.After(100 * time.Millisecond):
	}
	// With no watcher left the process stops following the bus, and the
	// next watcher follows it again.
	stop()
	stopOther()
	waitSubs := func(want int, what string) {
		t.Helper()
		bustest.Wait(t, 5*time.Second, what, func() bool { return b.Conn().NumSubscriptions() == want })
	}
	waitSubs(before, "the subscription dropped with the last watcher")
	again, stopAgain := core.Watch(mine)
	defer stopAgain()
	waitSubs(before+1, "a subscription for the new watcher")
	if _, err := b.Publish(ctx, order.SubjectRequested+"."+mine, mine, []byte(`{}`), nil); err != nil {
		t.Fatal(err)
	}
	select {
	case <-again:
	case <-time.After(5 * time.Second):
		t.Fatal("the new watcher was not woken")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
