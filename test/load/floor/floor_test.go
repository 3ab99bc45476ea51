// Package floor measures what the parts of checkout's 202 path cost on
// this machine when they do nothing else: an HTTP round trip with a JSON
// body, a JetStream key-value create (the Idempotency-Key's claim), a
// JetStream publish (the order request), and a group-committed SQLite
// write (a stock hold, a cart's close). Each reports the CPU it takes per
// op, client and server together (they run in this one process), so that
// their sum is a floor under the CPU of one accepted checkout, and two
// cores divided by it a ceiling on 202s per second:
//
//	go test ./test/load/floor -run '^$' -bench . -benchtime 20000x
package floor_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/bazaarshop/bazaar/internal/platform/bus"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

// clients is how many goroutines issue ops at once, as in the checkout
// benchmarks.
const clients = 32

// checkoutBody is the size and shape of the checkout benchmarks' request.
var checkoutBody = []byte(`{"cart_id":"0193a5f0-7c1e-7b6a-9d7e-3f1c2b4a5d6e","email":"bench@example.com",` +
	`"shipping_address":{"name":"Asha Rao","line1":"12 MG Road","city":"Bengaluru","state":"KA","postal_code":"560001","country":"IN","phone":"+919876543210"},` +
	`"payment":{"method":"card","token":"pm_0193a5f07c1e7b6a9d7e3f1c2b4a5d6e"}}`)

// request is about what checkout publishes: the order with its line,
// totals, address and payment choice.
var request = bytes.Repeat([]byte("x"), 1200)

func BenchmarkFloor(b *testing.B) {
	b.Run("http-json-roundtrip", benchHTTP)
	b.Run("jetstream-kv-create", benchKVCreate)
	b.Run("jetstream-publish", benchPublish)
	b.Run("sqlite-group-write", benchSQLiteWrite)
}

// benchHTTP: a POST with checkout's body to a plain net/http handler that
// decodes it and answers 202 with a small JSON body; a keep-alive client.
func benchHTTP(b *testing.B) {
	type address struct{ Name, Line1, City, State, PostalCode, Country, Phone string }
	type input struct {
		CartID          string  `json:"cart_id"`
		Email           string  `json:"email"`
		ShippingAddress address `json:"shipping_address"`
		Payment         struct {
			Method string `json:"method"`
			Token  string `json:"token"`
		} `json:"payment"`
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in input
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		_ = json.NewEncoder(w).Encode(map[string]string{
			"order_id": in.CartID, "status": "pending",
			"status_url": "/api/v1/orders/" + in.CartID, "events_url": "/api/v1/orders/" + in.CartID + "/events",
		})
	})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients * 2}}
	url := "http://" + ln.Addr().String() + "/api/v1/checkout"
	run(b, func(i int) error {
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(checkoutBody))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", fmt.Sprint("k-", i))
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		var out map[string]string
		err = json.NewDecoder(resp.Body).Decode(&out)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return err
	})
}

// embeddedBus starts the embedded NATS server on a temporary directory.
func embeddedBus(b *testing.B) *bus.Bus {
	bs, err := bus.Open(context.Background(), bus.Config{DataDir: b.TempDir(), Name: "floor"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = bs.Close() })
	return bs
}

// benchKVCreate: checkout's claim of its Idempotency-Key, a create of a
// new key in a file-backed bucket.
func benchKVCreate(b *testing.B) {
	bs := embeddedBus(b)
	ctx := context.Background()
	kv, err := bs.JetStream().CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "FLOOR_KEYS", History: 1, TTL: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	rec := bytes.Repeat([]byte("r"), 220)
	run(b, func(i int) error {
		_, err := kv.Create(ctx, fmt.Sprintf("k%08d", i), rec)
		return err
	})
}

// benchPublish: checkout's publish of the order request, with a message
// id for de-duplication, to a file-backed stream, waiting for the ack.
func benchPublish(b *testing.B) {
	bs := embeddedBus(b)
	ctx := context.Background()
	if err := bs.EnsureStream(ctx, bus.StreamConfig{Name: "FLOOR", Subjects: []string{"floor.>"}}); err != nil {
		b.Fatal(err)
	}
	run(b, func(i int) error {
		id := fmt.Sprintf("o%08d", i)
		_, err := bs.Publish(ctx, "floor.requested."+id, id, request, nil)
		return err
	})
}

// benchSQLiteWrite: one row written the way the shop's stores write on
// SQLite: many callers' writes group-committed into one transaction.
func benchSQLiteWrite(b *testing.B) {
	ctx := context.Background()
	db, err := sqldb.Open(ctx, b.TempDir(), "floor")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	err = db.InTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE holds (reference TEXT PRIMARY KEY, status TEXT NOT NULL,
			body TEXT NOT NULL, expires_at INTEGER NOT NULL)`)
		if err == nil {
			_, err = tx.ExecContext(ctx, `CREATE INDEX holds_expiry ON holds (status, expires_at)`)
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	g := sqldb.NewGroup(db, 64, 1, nil)
	body := strings.Repeat("a", 200)
	run(b, func(i int) error {
		return g.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO holds (reference, status, body, expires_at) VALUES ($1, $2, $3, $4)`,
				fmt.Sprintf("o%08d", i), "held", body, time.Now().UnixMilli())
			return err
		})
	})
}

// run calls op b.N times from clients goroutines and reports ops per
// second and this process's CPU per op.
func run(b *testing.B, op func(i int) error) {
	var next atomic.Int64
	errs := make(chan error, clients)
	b.ResetTimer()
	cpu0, t0 := cpuTime(), time.Now()
	for range clients {
		go func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					errs <- nil
					return
				}
				if err := op(i); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for range clients {
		if err := <-errs; err != nil {
			b.Fatal(err)
		}
	}
	elapsed, cpu := time.Since(t0), cpuTime()-cpu0
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "ops/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-us/op")
}

// cpuTime is the CPU this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
