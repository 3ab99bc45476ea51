package inventorytest_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/bazaarshop/bazaar/internal/inventory"
	"github.com/bazaarshop/bazaar/internal/inventory/inventorydb"
	"github.com/bazaarshop/bazaar/internal/inventory/inventorytest"
	"github.com/bazaarshop/bazaar/internal/platform/bus"
	"github.com/bazaarshop/bazaar/internal/platform/bus/bustest"
	"github.com/bazaarshop/bazaar/internal/platform/bus/outbox"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb/sqldbtest"
)

var dialects = []struct {
	name string
	open func(testing.TB) *sqldb.DB
}{
	{"sqlite", sqldbtest.OpenSQLite},
	{"postgres", sqldbtest.OpenPostgres},
}

func TestStore(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			inventorytest.StoreSuite(t, func(t *testing.T) (inventory.Store, *sqldb.DB) {
				db := d.open(t)
				if err := inventorydb.Migrate(context.Background(), db); err != nil {
					t.Fatal(err)
				}
				return inventorydb.New(db), db
			})
		})
	}
}

func TestService(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Run("core", func(t *testing.T) {
				inventorytest.ServiceSuite(t, func(t *testing.T) *inventorytest.Env {
					return inventorytest.NewEnv(t, d.open(t), inventory.Options{})
				})
			})
			t.Run("http", func(t *testing.T) {
				inventorytest.ServiceSuite(t, func(t *testing.T) *inventorytest.Env {
					return inventorytest.NewEnv(t, d.open(t), inventory.Options{}).OverHTTP(t)
				})
			})
		})
	}
}

// TestHotSKU runs the flash sale with the engine's own tuning, and with
// four lanes over eight buckets, where batches reserve the SKU side by
// side from their own buckets.
func TestHotSKU(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Run("default", func(t *testing.T) {
				e := inventorytest.NewEnv(t, d.open(t), inventory.Options{})
				inventorytest.HotSKU(t, e, 100, 2000)
			})
			t.Run("lanes", func(t *testing.T) {
				e := inventorytest.NewEnv(t, d.open(t), inventory.Options{Lanes: 4, Slots: 8, SlotUnits: 10})
				inventorytest.HotSKU(t, e, 600, 3000)
				st := e.Core.Stats()
				t.Logf("stats %+v", st)
				if st.FastBatches == 0 {
					t.Fatalf("no batch reserved from its lane's buckets: %+v", st)
				}
			})
		})
	}
}

// TestEventsReachTheBus relays what the store put in its outbox to
// JetStream: the rows the PostgreSQL pipeline writes itself must read like
// outbox.AddEvent's.
func TestEventsReachTheBus(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			ctx := context.Background()
			e := inventorytest.NewEnv(t, d.open(t), inventory.Options{})
			b := bustest.Embedded(t)
			if err := b.EnsureStream(ctx, inventory.Stream); err != nil {
				t.Fatal(err)
			}
			if _, err := e.Service.SetOnHand(ctx, inventory.SetOnHand{SKU: "LEHENGA-1", OnHand: 2}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.Service.Reserve(ctx, inventory.ReserveRequest{Reference: "o-1", Lines: []inventory.Line{{SKU: "LEHENGA-1", Quantity: 2}}}); err != nil {
				t.Fatal(err)
			}
			if err := outbox.NewRelay(e.DB, b, outbox.RelayOptions{}).Flush(ctx); err != nil {
				t.Fatal(err)
			}
			s, err := b.JetStream().Stream(ctx, inventory.Stream.Name)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for seq := uint64(1); seq <= 2; seq++ {
				m, err := s.GetMsg(ctx, seq)
				if err != nil {
					t.Fatalf("message %d: %v", seq, err)
				}
				var ev bus.Event
				var data inventory.StockEvent
				if err := json.Unmarshal(m.Data, &ev); err != nil || ev.Decode(&data) != nil || data.SKU != "LEHENGA-1" || m.Subject != ev.Type {
					t.Fatalf("message %d on %s: %s (%v)", seq, m.Subject, m.Data, err)
				}
				got = append(got, ev.Type)
			}
			if want := []string{inventory.EventBackInStock, inventory.EventOutOfStock}; !slices.Equal(got, want) {
				t.Fatalf("events %v, want %v", got, want)
			}
		})
	}
}
