package wire

import (
	"context"
	"fmt"

	"github.com/bazaarshop/bazaar/internal/platform/bus"
	"github.com/bazaarshop/bazaar/internal/platform/bus/outbox"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

// startOutbox makes sure the service's streams exist and runs a relay that
// publishes what the service's transactions put in its outbox.
func (a *App) startOutbox(ctx context.Context, service string, db *sqldb.DB, streams ...bus.StreamConfig) (*outbox.Relay, error) {
	for _, s := range streams {
		if err := a.Bus.EnsureStream(ctx, s); err != nil {
			return nil, fmt.Errorf("stream %s: %w", s.Name, err)
		}
	}
	relay := outbox.NewRelay(db, a.Bus, outbox.RelayOptions{Logger: a.log.With("outbox", service)})
	a.addWorker(service+"-outbox", relay.Run)
	return relay, nil
}

// consume runs a durable consumer from Run until shutdown, when it stops
// fetching and lets the handlers in flight finish.
func (a *App) consume(cfg bus.ConsumerConfig, h bus.Handler) {
	a.addWorker("consumer "+cfg.Stream+"/"+cfg.Durable, func(ctx context.Context) error {
		c, err := a.Bus.Consume(context.WithoutCancel(ctx), cfg, h)
		if err != nil {
			return err
		}
		<-ctx.Done()
		return c.Stop()
	})
}
