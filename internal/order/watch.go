package order

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
)

// Watch returns a channel that receives a value when the order changes (an
// SSE stream's hint to read it again). Changes made in this process wake
// it at once; changes made by other processes' workers wake it when their
// events arrive (FollowBus). stop releases it.
func (c *Core) Watch(id string) (ch <-chan struct{}, stop func()) {
	w := make(chan struct{}, 1)
	c.mu.Lock()
	c.watchers[id] = append(c.watchers[id], w)
	if len(c.watchers) == 1 && len(c.watchers[id]) == 1 {
		c.nudgeFollow() // the first watcher: follow the bus
	}
	c.mu.Unlock()
	return w, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		ws := c.watchers[id]
		for i, x := range ws {
			if x == w {
				ws = append(ws[:i], ws[i+1:]...)
				break
			}
		}
		if len(ws) == 0 {
			delete(c.watchers, id)
			if len(c.watchers) == 0 {
				c.nudgeFollow() // the last one left: stop following
			}
		} else {
			c.watchers[id] = ws
		}
	}
}

// watched reports whether any order has a watcher in this process.
func (c *Core) watched() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.watchers) > 0
}

// changed wakes the order's watchers.
func (c *Core) changed(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, w := range c.watchers[id] {
		select {
		case w <- struct{}{}:
		default:
		}
	}
}

// FollowBus wakes this process's watchers for the orders other processes
// change, from the ORDERS stream's messages as they are published (plain
// NATS, at most once: the streams poll as well), until ctx ends. So an
// open order page learns of a payment without reading the order every
// second. It subscribes only while this process has watchers: every
// checkout's request and every order event is a message on those
// subjects, and a process nobody watches through need not be sent them.
func (c *Core) FollowBus(ctx context.Context) error {
	if c.opts.Bus == nil {
		<-ctx.Done()
		return nil
	}
	var sub *nats.Subscription
	defer func() {
		if sub != nil {
			_ = sub.Unsubscribe()
		}
	}()
	var retry <-chan time.Time // set while a subscription that failed waits to be tried again
	for {
		switch watched := c.watched(); {
		case watched && sub == nil:
			s, err := c.opts.Bus.Conn().Subscribe("order.>", c.follow)
			if err != nil {
				c.log.WarnContext(ctx, "order: cannot follow the bus; retrying", "error", err)
				retry = time.After(time.Second)
			} else {
				sub = s
			}
		case !watched && sub != nil:
			_ = sub.Unsubscribe()
			sub = nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-c.followWake:
		case <-retry:
			retry = nil
		}
	}
}

// follow wakes the watchers of the order m is about.
func (c *Core) follow(m *nats.Msg) {
	if id := changedOrder(m.Subject, m.Data); id != "" {
		c.changed(id)
	}
}

// nudgeFollow tells FollowBus that the process went from no watchers to
// some or back. It never blocks.
func (c *Core) nudgeFollow() {
	select {
	case c.followWake <- struct{}{}:
	default:
	}
}

// changedOrder names the order a message on the ORDERS stream is about: a
// request by its subject, an event by its data.
func changedOrder(subject string, data []byte) string {
	if id, ok := strings.CutPrefix(subject, SubjectRequested+"."); ok {
		return id
	}
	var ev struct {
		Data struct {
			OrderID string `json:"order_id"`
		} `json:"data"`
	}
	if json.Unmarshal(data, &ev) != nil {
		return ""
	}
	return ev.Data.OrderID
}
