package main

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Checkout throughput of the real binary, embedded and on PostgreSQL +
// NATS, with the sandbox provider and guest shoppers paying by card:
//
//   - BenchmarkCheckout202: accepted checkouts per second on the 202 path,
//     with p50/p99 of the 202 as the clients saw it; with the order
//     workers in the same process (as `bazaar serve` runs by default:
//     they pay the orders meanwhile, on the same cores) and without any
//     ("-no-workers": the API alone, the orders wait on the bus).
//   - BenchmarkOrdersCompleted: orders per second from the first checkout
//     to the last order paid, every service in one process.
//
// Carts (one line, one of 20 SKUs, the address given at checkout), card
// tokens and stock are made before the timer starts; each op is one
// checkout by one of 32 concurrent clients (BAZAAR_TEST_BENCH_CLIENTS).
// Between runs the shop drains.
//
//	BAZAAR_TEST_POSTGRES_URL=... BAZAAR_TEST_NATS_URL=... \
//	  go test ./cmd/bazaar -run '^$' -bench 'Checkout202|OrdersCompleted' -benchtime 2000x
func BenchmarkCheckout202(b *testing.B) {
	benchShops(b, true, func(b *testing.B, bs *benchShop) {
		buyers := bs.prepare(b, b.N)
		var base moves
		if bs.workers {
			base = bs.moves(b)
		}
		b.ResetTimer()
		cpu := newCPUMeter(bs.pid)
		start := time.Now()
		lat := bs.checkoutAll(b, buyers)
		elapsed := time.Since(start)
		b.StopTimer()
		cpu.report(b, b.N)
		reportLatency(b, lat, elapsed)
		if bs.workers {
			bs.drain(b, buyers, base)
			bs.checkPaid(b, buyers)
		}
	})
}

func BenchmarkOrdersCompleted(b *testing.B) {
	benchShops(b, false, func(b *testing.B, bs *benchShop) {
		buyers := bs.prepare(b, b.N)
		base := bs.moves(b)
		b.ResetTimer()
		cpu := newCPUMeter(bs.pid)
		start := time.Now()
		lat := bs.checkoutAll(b, buyers)
		accepted := time.Since(start)
		bs.drain(b, buyers, base)
		elapsed := time.Since(start)
		b.StopTimer()
		cpu.report(b, b.N)
		bs.checkPaid(b, buyers)
		b.ReportMetric(float64(b.N)/elapsed.Seconds(), "orders/s")
		b.ReportMetric(float64(b.N)/accepted.Seconds(), "checkouts/s")
		slices.Sort(lat)
		b.ReportMetric(ms(percentile(lat, 99)), "p99-202-ms")
	})
}

// BAZAAR_TEST_BINARY runs the benchmarks (and tests) on a binary built
// elsewhere, e.g. with a pprof listener added by go build -overlay, instead
// of building one.
func init() {
	if p := os.Getenv("BAZAAR_TEST_BINARY"); p != "" {
		binOnce.Do(func() { binPath = p })
	}
}

// benchClients is how many shoppers check out at once: 32, or
// BAZAAR_TEST_BENCH_CLIENTS.
var benchClients = func() int {
	if n, err := strconv.Atoi(os.Getenv("BAZAAR_TEST_BENCH_CLIENTS")); err == nil && n > 0 {
		return n
	}
	return 32
}()

// benchShop is a running shop with stock for any number of checkouts.
type benchShop struct {
	*shop
	skus    []string
	workers bool // the order workers run (in the same process)
	pid     int  // the shop's process
}

// apiOnly is every service but the order workers.
const apiOnly = "identity,inventory,catalog,payment,cart,order"

// benchShops runs fn as sub-benchmarks "embedded" and "production" (when
// PostgreSQL and NATS are configured) and, with noWorkers, the same two
// without the order workers; each on its own binary, started on the
// sub-benchmark's first run (so a -bench filter that leaves it out starts
// nothing) and stopped when the sub-benchmark is done.
func benchShops(b *testing.B, noWorkers bool, fn func(b *testing.B, bs *benchShop)) {
	buildBinary(b)
	names := []string{"embedded", "production"}
	if noWorkers {
		names = append(names, "embedded-no-workers", "production-no-workers")
	}
	for _, name := range names {
		var (
			bs *benchShop
			p  *process
		)
		b.Run(name, func(sb *testing.B) {
			if bs == nil {
				tb := outliving{TB: sb, parent: b}
				m := embeddedMode()
				if strings.HasPrefix(name, "production") {
					m = productionMode(tb)
				}
				var args []string
				workers := !strings.HasSuffix(name, "-no-workers")
				if !workers {
					m.env = append(m.env, "BAZAAR_INTERNAL_SECRET="+strings.Repeat("s3cr3t-", 6))
					args = []string{"--services", apiOnly}
				}
				var s *shop
				s, p = openShop(tb, m, args...)
				bs = &benchShop{shop: s, skus: s.skus(20), workers: workers, pid: p.cmd.Process.Pid}
				for _, sku := range bs.skus {
					s.setStock(sku, 1_000_000)
				}
			}
			bs.tb = sb
			fn(sb, bs)
		})
		if p != nil {
			p.stop(b)
		}
	}
}

// outliving is a sub-benchmark's TB whose temporary directories and
// cleanups belong to its parent: a sub-benchmark runs several times (b.N
// growing) and cleans up after each, but its shop serves every run.
type outliving struct {
	testing.TB
	parent testing.TB
}

func (o outliving) TempDir() string  { return o.parent.TempDir() }
func (o outliving) Cleanup(f func()) { o.parent.Cleanup(f) }

// buyer is a shopper ready to check out, and, once accepted, the order.
type buyer struct {
	cart  cartRef
	card  string
	order accepted
}

// prepare makes n carts of one unit each and their card tokens.
func (bs *benchShop) prepare(b *testing.B, n int) []buyer {
	b.Helper()
	buyers := make([]buyer, n)
	err := parallel(n, 16, func(i int) error {
		var err error
		if buyers[i].cart, err = bs.guestCart(bs.skus[i%len(bs.skus)], 1); err != nil {
			return err
		}
		buyers[i].card, err = bs.cardToken(cardOK)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return buyers
}

// checkoutAll checks every buyer out, benchClients at a time, and returns
// each 202's latency. Anything but a 202 fails the benchmark.
func (bs *benchShop) checkoutAll(b *testing.B, buyers []buyer) []time.Duration {
	b.Helper()
	lat := make([]time.Duration, len(buyers))
	run := time.Now().UnixNano()
	err := parallel(len(buyers), benchClients, func(i int) error {
		by := &buyers[i]
		t0 := time.Now()
		r, err := bs.checkout(fmt.Sprintf("bench-%d-%d", run, i), by.cart, checkoutBody(by.cart.ID, "bench@example.com", cardPayment(by.card)))
		lat[i] = time.Since(t0)
		if err != nil {
			return err
		}
		if r.Status != 202 {
			return fmt.Errorf("checkout: %s", r)
		}
		by.order, err = decodeAccepted(r)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return lat
}

// drain waits until every buyer's order is paid. While the clock runs it
// reads one figure, the shop's count of orders moved to paid (/metrics),
// instead of every order, so that measuring costs the shop next to
// nothing; base is that count before the checkouts. Call checkPaid after
// stopping the clock.
func (bs *benchShop) drain(b *testing.B, buyers []buyer, base moves) {
	b.Helper()
	start := time.Now()
	deadline := start.Add(5*time.Minute + time.Duration(len(buyers))*10*time.Millisecond)
	for {
		now := bs.moves(b)
		switch {
		case now.paid-base.paid >= len(buyers):
			return
		case now.placed == base.placed && time.Since(start) > 30*time.Second:
			// Not one order created in 30 s: a binary built before the
			// metric (BAZAAR_TEST_BINARY) cannot be measured this way.
			b.Fatal("no order placed in 30 s: does the binary export bazaar_order_transitions_total?")
		case now.failed > base.failed, time.Now().After(deadline):
			bs.checkPaid(b, buyers) // says which order, and how it ended
			b.Fatalf("%d of %d orders paid; %d failed", now.paid-base.paid, len(buyers), now.failed-base.failed)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// checkPaid fails unless every buyer's order is paid, reading each.
func (bs *benchShop) checkPaid(b *testing.B, buyers []buyer) {
	b.Helper()
	for _, by := range buyers {
		o, r, err := bs.getOrder(by.order.OrderID, by.order.OrderToken, "")
		if err != nil || r.Status != 200 || o.Status != "paid" {
			b.Fatalf("order %s: %v %s %s (payment %+v)", by.order.OrderID, err, r, o.Status, o.Payment)
		}
	}
}

// moves is the shop's count of orders placed (moved to pending), paid,
// and moved to an unpaid end.
type moves struct{ placed, paid, failed int }

// moves reads the shop's counts of order moves.
func (bs *benchShop) moves(b *testing.B) moves {
	b.Helper()
	to := bs.orderMoves(b)
	return moves{placed: to["pending"], paid: to["paid"], failed: to["payment_failed"] + to["expired"] + to["cancelled"]}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// reportLatency reports throughput and the 202's p50/p99.
func reportLatency(b *testing.B, lat []time.Duration, elapsed time.Duration) {
	slices.Sort(lat)
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "checkouts/s")
	b.ReportMetric(ms(percentile(lat, 50)), "p50-ms")
	b.ReportMetric(ms(percentile(lat, 99)), "p99-ms")
}
