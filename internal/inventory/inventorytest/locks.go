package inventorytest

import (
	"context"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/inventory"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

// testLanesDoNotBlock shows the point of buckets: a transaction holding one
// lane's buckets of a SKU does not stop another lane, while one that locks
// the SKU whole waits for both.
func testLanesDoNotBlock(t *testing.T, newStore func(*testing.T) (inventory.Store, *sqldb.DB)) {
	ctx := context.Background()
	s, db := newStore(t)
	if db.Dialect() == sqldb.SQLite {
		t.Skip("SQLite has one writer: every transaction waits for the one before")
	}
	seedBuckets(t, s)
	locked := make(chan struct{}, 3)
	lock := func(q inventory.BucketQuery, hold <-chan struct{}) <-chan error {
		done := make(chan error, 1)
		go func() {
			done <- s.Update(ctx, func(tx inventory.Tx) error {
				if _, _, err := tx.Buckets(ctx, q, nil); err != nil {
					return err
				}
				locked <- struct{}{}
				<-hold
				return nil
			})
		}()
		return done
	}
	hold0, free := make(chan struct{}), make(chan struct{})
	close(free)
	lane0 := lock(inventory.BucketQuery{Home: []string{"X"}, Lane: 0, Lanes: 2}, hold0)
	<-locked // lane 0 holds its buckets; lane 1 must get its own all the same
	select {
	case err := <-lock(inventory.BucketQuery{Home: []string{"X"}, Lane: 1, Lanes: 2}, free):
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("lane 1 waited for lane 0")
	}
	whole := lock(inventory.BucketQuery{All: []string{"X"}}, free)
	select {
	case err := <-whole:
		t.Fatalf("locking the SKU whole did not wait for lane 0 (%v)", err)
	case <-time.After(300 * time.Millisecond):
	}
	close(hold0)
	for _, c := range []<-chan error{lane0, whole} {
		if err := <-c; err != nil {
			t.Fatal(err)
		}
	}
}
