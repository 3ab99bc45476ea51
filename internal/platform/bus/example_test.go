package bus_test

import (
	"context"
	"fmt"
	"os"

	"github.com/bazaarshop/bazaar/internal/platform/bus"
)

func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "bazaar-example")
	defer os.RemoveAll(dir)

	// No URL: the embedded server, its store under dir/nats.
	b, err := bus.Open(ctx, bus.Config{DataDir: dir, Name: "catalog"})
	if err != nil {
		panic(err)
	}
	defer b.Close()

	if err := b.EnsureStream(ctx, bus.StreamConfig{Name: "CATALOG", Subjects: []string{"catalog.>"}}); err != nil {
		panic(err)
	}
	ev, _ := bus.NewEvent("catalog.product.created", map[string]string{"sku": "TEE-1"})
	if _, err := b.PublishEvent(ctx, "catalog.product.created", ev); err != nil {
		panic(err)
	}

	done := make(chan struct{})
	c, err := b.Consume(ctx, bus.ConsumerConfig{Stream: "CATALOG", Durable: "search-indexer"},
		func(ctx context.Context, m *bus.Msg) error {
			ev, err := m.Event()
			if err != nil {
				return err // retried with backoff, then dead-lettered
			}
			var p struct{ SKU string }
			if err := ev.Decode(&p); err != nil {
				return err
			}
			fmt.Println(ev.Type, p.SKU, "attempt", m.Attempt)
			close(done)
			return nil // acknowledged
		})
	if err != nil {
		panic(err)
	}
	<-done
	_ = c.Stop() // on SIGTERM: stop fetching, let handlers finish
	// Output: catalog.product.created TEE-1 attempt 1
}
