package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bazaarshop/bazaar/internal/identity"
	"github.com/bazaarshop/bazaar/internal/identity/identitytest"
	"github.com/bazaarshop/bazaar/internal/platform/testenv"
)

// A shopper's (and the shop owner's) view of a running binary over HTTP:
// the helpers the checkout, flash-sale and order-worker tests and the
// checkout benchmarks share. Everything goes through the public API, as a
// browser or an admin script would.

// shopMode is how the binary runs: embedded (SQLite files and JetStream in
// the data dir) or production (PostgreSQL and an external NATS).
type shopMode struct {
	name    string
	env     []string // BAZAAR_* settings of every process of the shop
	dbURL   string   // production: the test's own database
	natsURL string
}

func (m shopMode) production() bool { return m.dbURL != "" }

// embeddedMode is the single binary on its data dir.
func embeddedMode() shopMode { return shopMode{name: "embedded"} }

// productionMode gives the test a fresh PostgreSQL database and clean
// streams on the external NATS; it skips without them (fails under
// BAZAAR_TEST_REQUIRE_EXTERNAL=1).
func productionMode(tb testing.TB) shopMode {
	pgURL := testenv.PostgresURL(tb)
	natsURL := testenv.NATSURL(tb)
	dbURL := freshDatabase(tb, pgURL)
	clearStreams(tb, natsURL)
	tb.Cleanup(func() { clearStreams(tb, natsURL) })
	return shopMode{
		name: "production",
		env: []string{
			"BAZAAR_DATABASE_URL=" + dbURL, "BAZAAR_NATS_URL=" + natsURL,
			"BAZAAR_PAYMENT_CARD_KEY=" + strings.Repeat("7e", 32), // production refuses to start without one
			"BAZAAR_PAYMENT_SANDBOX=on",                           // off by default in production
		},
		dbURL:   dbURL,
		natsURL: natsURL,
	}
}

// inBothModes runs fn as subtests "embedded" and "production".
func inBothModes(t *testing.T, fn func(t *testing.T, m shopMode)) {
	t.Run("embedded", func(t *testing.T) { fn(t, embeddedMode()) })
	t.Run("production", func(t *testing.T) { fn(t, productionMode(t)) })
}

const (
	adminEmail    = "owner@example.com"
	adminPassword = "correct-horse-battery-staple"
)

// createAdmin makes the shop's admin account with the admin command, as an
// operator would before the first start.
func createAdmin(tb testing.TB, dataDir string, env []string) {
	tb.Helper()
	var out, errOut bytes.Buffer
	err := adminCommand([]string{"create", "--email", adminEmail, "--data-dir", dataDir}, env,
		strings.NewReader(adminPassword+"\n"), &out, &errOut)
	if err != nil {
		tb.Fatalf("admin create: %v\n%s", err, errOut.String())
	}
}

// openShop makes the admin, starts the binary with every service (or the
// given --services) and signs the admin in.
func openShop(tb testing.TB, m shopMode, args ...string) (*shop, *process) {
	tb.Helper()
	dir := tb.TempDir()
	createAdmin(tb, dir, m.env)
	p := startBinary(tb, dir, m.env, args...)
	p.waitReady(tb)
	s := newShop(tb, p.url)
	s.admin = s.signIn(adminEmail, adminPassword)
	return s, p
}

// shop talks to one running binary.
type shop struct {
	tb    testing.TB
	url   string
	admin string // the admin's bearer token
	hc    *http.Client
}

// shopTransport keeps connections open for hundreds of concurrent shoppers
// (the default keeps two per host and would open and close the rest).
var shopTransport = &http.Transport{
	MaxIdleConns:        4096,
	MaxIdleConnsPerHost: 4096,
	IdleConnTimeout:     30 * time.Second,
}

func newShop(tb testing.TB, base string) *shop {
	return &shop{tb: tb, url: base, hc: &http.Client{
		Transport: shopTransport,
		Timeout:   60 * time.Second,
		// The sandbox's pages redirect to the storefront: keep the 303.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// reply is an HTTP answer, read whole.
type reply struct {
	Status int
	Body   []byte
	Header http.Header
}

// code is the problem document's code ("" if the body is not one).
func (r reply) code() string {
	var p struct {
		Code string `json:"code"`
	}
	_ = json.Unmarshal(r.Body, &p)
	return p.Code
}

func (r reply) String() string {
	b := r.Body
	if len(b) > 600 {
		b = append(b[:600:600], "…"...)
	}
	return fmt.Sprintf("%d %s", r.Status, b)
}

// call sends a request; hdr are name/value pairs, an empty value leaving
// the header out. It does not fail the test, so goroutines may use it.
func (s *shop) call(method, path string, body any, hdr ...string) (reply, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			return reply{}, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, s.url+path, rd)
	if err != nil {
		return reply{}, err
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] != "" {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	resp, err := s.hc.Do(req)
	if err != nil {
		return reply{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	return reply{Status: resp.StatusCode, Body: raw, Header: resp.Header}, nil
}

// do is call for the test's goroutine: a transport error fails the test.
func (s *shop) do(method, path string, body any, hdr ...string) reply {
	s.tb.Helper()
	r, err := s.call(method, path, body, hdr...)
	if err != nil {
		s.tb.Fatal(err)
	}
	return r
}

// must fails the test unless r has the status (and, for a problem, the code).
func (s *shop) must(r reply, status int, code, what string) reply {
	s.tb.Helper()
	if r.Status != status || (code != "" && r.code() != code) {
		s.tb.Fatalf("%s: got %s; want %d %s", what, r, status, code)
	}
	return r
}

func decodeReply[T any](tb testing.TB, r reply) T {
	tb.Helper()
	var v T
	if err := json.Unmarshal(r.Body, &v); err != nil {
		tb.Fatalf("decode %T from %s: %v", v, r, err)
	}
	return v
}

func bearer(token string) string {
	if token == "" {
		return ""
	}
	return "Bearer " + token
}

// asAdmin adds the admin's credentials to hdr.
func (s *shop) asAdmin(hdr ...string) []string {
	return append([]string{"Authorization", bearer(s.admin)}, hdr...)
}

func (s *shop) signIn(email, password string) string {
	s.tb.Helper()
	r := s.must(s.do("POST", "/api/v1/auth/signin", map[string]string{"email": email, "password": password, "session": "bearer"}),
		200, "", "sign in "+email)
	tok := decodeReply[struct {
		Token string `json:"token"`
	}](s.tb, r).Token
	if tok == "" {
		s.tb.Fatalf("sign in %s: no token in %s", email, r)
	}
	return tok
}

// member opens a verified customer account and returns its bearer token:
// through the dev mailbox in embedded mode; in production mode (no dev
// mailbox) by marking the address verified in the database, as if the link
// had been followed.
func (s *shop) member(m shopMode, email string) string {
	s.tb.Helper()
	const password = "a long member passphrase"
	s.must(s.do("POST", "/api/v1/auth/signup", map[string]string{"email": email, "password": password, "name": "Member"}),
		202, "", "sign up "+email)
	if m.production() {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, m.dbURL)
		if err != nil {
			s.tb.Fatal(err)
		}
		defer conn.Close(ctx)
		tag, err := conn.Exec(ctx, "UPDATE identity.accounts SET email_verified = true WHERE email = $1", email)
		if err != nil || tag.RowsAffected() != 1 {
			s.tb.Fatalf("verify %s in the database: %v (%d rows)", email, err, tag.RowsAffected())
		}
		return s.signIn(email, password)
	}
	var token string
	for deadline := time.Now().Add(10 * time.Second); token == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		mails := decodeReply[struct {
			Items []identity.Mail `json:"items"`
		}](s.tb, s.must(s.do("GET", "/api/v1/dev/mail", nil), 200, "", "dev mailbox"))
		token = identitytest.TokenFrom(mails.Items, email, "/verify-email")
	}
	if token == "" {
		s.tb.Fatalf("no verification mail for %s", email)
	}
	r := s.must(s.do("POST", "/api/v1/auth/verify-email", map[string]string{"token": token, "session": "bearer"}), 200, "", "verify "+email)
	tok := decodeReply[struct {
		Token string `json:"token"`
	}](s.tb, r).Token
	if tok == "" {
		s.tb.Fatalf("verify %s: no bearer token in %s", email, r)
	}
	return tok
}

// skus returns n SKUs of the seeded catalogue that are in stock.
func (s *shop) skus(n int) []string {
	s.tb.Helper()
	var out []string
	for page := ""; len(out) < n; {
		list := decodeReply[struct {
			Items []struct {
				Slug string `json:"slug"`
			} `json:"items"`
			Next string `json:"next_page_token"`
		}](s.tb, s.must(s.do("GET", "/api/v1/products?in_stock=true&page_size=50&page_token="+url.QueryEscape(page), nil), 200, "", "products"))
		for _, it := range list.Items {
			p := decodeReply[struct {
				Variants []struct {
					SKU       string `json:"sku"`
					Available *int64 `json:"available"`
				} `json:"variants"`
			}](s.tb, s.must(s.do("GET", "/api/v1/products/"+it.Slug, nil), 200, "", "product "+it.Slug))
			for _, v := range p.Variants {
				if v.Available != nil && *v.Available > 0 && len(out) < n {
					out = append(out, v.SKU)
				}
			}
			if len(out) >= n {
				break
			}
		}
		if list.Next == "" {
			break
		}
		page = list.Next
	}
	if len(out) < n {
		s.tb.Fatalf("only %d SKUs in stock, want %d", len(out), n)
	}
	return out
}

// setStock sets a SKU's units on hand at the web shop's location.
func (s *shop) setStock(sku string, onHand int64) {
	s.tb.Helper()
	s.must(s.do("PUT", "/api/v1/admin/inventory/stock/"+url.PathEscape(sku)+"/online",
		map[string]any{"on_hand": onHand, "reference": "test"}, s.asAdmin()...), 200, "", "set stock of "+sku)
}

type stockLevel struct {
	SKU       string `json:"sku"`
	Location  string `json:"location"`
	OnHand    int64  `json:"on_hand"`
	Reserved  int64  `json:"reserved"`
	Available int64  `json:"available"`
}

// level is a SKU's stock at the web shop's location.
func (s *shop) level(sku string) stockLevel {
	s.tb.Helper()
	lv := decodeReply[struct {
		Items []stockLevel `json:"items"`
	}](s.tb, s.must(s.do("GET", "/api/v1/admin/inventory/levels?sku="+url.QueryEscape(sku), nil, s.asAdmin()...), 200, "", "stock levels"))
	for _, l := range lv.Items {
		if l.Location == "online" {
			return l
		}
	}
	s.tb.Fatalf("no online stock level for %s: %+v", sku, lv.Items)
	return stockLevel{}
}

type ledgerReport struct {
	OK         bool `json:"ok"`
	Currencies []struct {
		Currency string           `json:"currency"`
		Accounts map[string]int64 `json:"accounts"`
		Debits   int64            `json:"debits"`
		Credits  int64            `json:"credits"`
		Captured int64            `json:"captured"`
		Refunded int64            `json:"refunded"`
	} `json:"currencies"`
	UnbalancedEntries []string `json:"unbalanced_entries"`
	MismatchedIntents []string `json:"mismatched_intents"`
}

// captured is what the ledger says was captured in INR.
func (l ledgerReport) captured() int64 {
	for _, c := range l.Currencies {
		if c.Currency == "INR" {
			return c.Captured
		}
	}
	return 0
}

func (s *shop) ledger() ledgerReport {
	s.tb.Helper()
	return decodeReply[ledgerReport](s.tb, s.must(s.do("GET", "/api/v1/admin/payments/ledger", nil, s.asAdmin()...), 200, "", "payment ledger"))
}

type intentView struct {
	ID             string `json:"id"`
	OrderID        string `json:"order_id"`
	Status         string `json:"status"`
	Amount         amount `json:"amount"`
	AmountCaptured amount `json:"amount_captured"`
	AmountRefunded amount `json:"amount_refunded"`
	Transitions    []struct {
		From string `json:"from"`
		To   string `json:"to"`
	} `json:"transitions"`
}

// intentsOf lists the payment intents of an order, as the admin sees them.
func (s *shop) intentsOf(orderID string) ([]intentView, error) {
	r, err := s.call("GET", "/api/v1/payments/intents?page_size=100&order_id="+url.QueryEscape(orderID), nil, s.asAdmin()...)
	if err != nil {
		return nil, err
	}
	if r.Status != 200 {
		return nil, fmt.Errorf("intents of %s: %s", orderID, r)
	}
	var p struct {
		Items []intentView `json:"items"`
	}
	err = json.Unmarshal(r.Body, &p)
	return p.Items, err
}

// allIntents lists every payment intent, as the admin sees them.
func (s *shop) allIntents() ([]intentView, error) {
	return adminPages[intentView](s, "/api/v1/payments/intents?page_size=100")
}

// cartRef is a cart and, for a guest, its token.
type cartRef struct {
	ID    string `json:"id"`
	Token string `json:"token"`
}

// newCart opens a cart: a guest's (memberToken "") or the member's own.
func (s *shop) newCart(memberToken string) (cartRef, error) {
	r, err := s.call("POST", "/api/v1/carts", "{}", "Authorization", bearer(memberToken))
	if err != nil {
		return cartRef{}, err
	}
	var c cartRef
	if r.Status >= 300 || json.Unmarshal(r.Body, &c) != nil || c.ID == "" {
		return cartRef{}, fmt.Errorf("new cart: %s", r)
	}
	return c, nil
}

// addItem puts units of a SKU in a cart.
func (s *shop) addItem(c cartRef, memberToken, sku string, qty int64) error {
	r, err := s.call("POST", "/api/v1/carts/"+c.ID+"/items", map[string]any{"sku": sku, "quantity": qty},
		"X-Cart-Token", c.Token, "Authorization", bearer(memberToken))
	if err != nil {
		return err
	}
	if r.Status >= 300 {
		return fmt.Errorf("add %s to cart: %s", sku, r)
	}
	return nil
}

// guestCart is a new guest cart holding qty units of sku.
func (s *shop) guestCart(sku string, qty int64) (cartRef, error) {
	c, err := s.newCart("")
	if err != nil {
		return c, err
	}
	return c, s.addItem(c, "", sku, qty)
}

// Sandbox cards (README, "Paying in the sandbox").
const (
	cardOK       = "4242424242424242"
	cardDeclined = "4000000000000002"
	card3DS      = "4000000000003220"
)

// cardToken tokenises a sandbox card.
func (s *shop) cardToken(number string) (string, error) {
	r, err := s.call("POST", "/api/v1/payments/methods", map[string]any{
		"type": "card", "card": map[string]any{"number": number, "exp_month": 12, "exp_year": time.Now().Year() + 3, "cvc": "123"},
	})
	if err != nil {
		return "", err
	}
	var m struct {
		ID string `json:"id"`
	}
	if r.Status != 201 || json.Unmarshal(r.Body, &m) != nil || m.ID == "" {
		return "", fmt.Errorf("tokenise %s: %s", number, r)
	}
	return m.ID, nil
}

func cardPayment(token string) map[string]any {
	return map[string]any{"method": "card", "token": token}
}

// checkoutBody is a checkout of a cart shipping to Bengaluru; email may be
// "" for a member.
func checkoutBody(cartID, email string, pay map[string]any) map[string]any {
	b := map[string]any{
		"cart_id": cartID,
		"shipping_address": map[string]any{
			"name": "Asha Rao", "phone": "+919812345678", "line1": "12 MG Road",
			"city": "Bengaluru", "state": "Karnataka", "postal_code": "560001", "country": "IN",
		},
		"payment": pay,
	}
	if email != "" {
		b["email"] = email
	}
	return b
}

// checkout posts a checkout; hdr adds headers (Authorization for a member).
func (s *shop) checkout(key string, c cartRef, body any, hdr ...string) (reply, error) {
	return s.call("POST", "/api/v1/checkout", body, append([]string{"Idempotency-Key", key, "X-Cart-Token", c.Token}, hdr...)...)
}

// accepted is checkout's 202.
type accepted struct {
	OrderID    string `json:"order_id"`
	Number     string `json:"number"`
	Status     string `json:"status"`
	StatusURL  string `json:"status_url"`
	EventsURL  string `json:"events_url"`
	OrderToken string `json:"order_token"`
}

type amount struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// orderView is an order as GET /api/v1/orders/{id} shows it.
type orderView struct {
	ID         string `json:"id"`
	Number     string `json:"number"`
	Status     string `json:"status"`
	CustomerID string `json:"customer_id"`
	Email      string `json:"email"`
	CartID     string `json:"cart_id"`
	Lines      []struct {
		SKU      string `json:"sku"`
		Quantity int64  `json:"quantity"`
		Total    amount `json:"total"`
	} `json:"lines"`
	Totals struct {
		Total amount `json:"total"`
	} `json:"totals"`
	Payment struct {
		Method      string `json:"method"`
		IntentID    string `json:"intent_id"`
		Status      string `json:"status"`
		FailureCode string `json:"failure_code"`
		NextAction  *struct {
			Type string `json:"type"`
			URL  string `json:"url"`
		} `json:"next_action"`
		Captured amount `json:"captured"`
	} `json:"payment"`
	History []struct {
		Seq  int    `json:"seq"`
		From string `json:"from"`
		To   string `json:"to"`
	} `json:"history"`
}

// path is the statuses the order went through, oldest first.
func (o orderView) path() []string {
	var p []string
	for _, h := range o.History {
		p = append(p, h.To)
	}
	return p
}

// settled: checkout's work on the order is over (order.Status.Settled).
func settled(status string) bool { return status != "pending" && status != "awaiting_payment" }

// getOrder reads an order: a guest with its token, a member or the admin
// with their bearer token.
func (s *shop) getOrder(id, orderToken, bearerToken string) (orderView, reply, error) {
	r, err := s.call("GET", "/api/v1/orders/"+id, nil, "X-Order-Token", orderToken, "Authorization", bearer(bearerToken))
	if err != nil || r.Status != 200 {
		return orderView{}, r, err
	}
	var o orderView
	err = json.Unmarshal(r.Body, &o)
	return o, r, err
}

// waitOrder polls an order until done says so or the time is up.
func (s *shop) waitOrder(id, orderToken, bearerToken string, within time.Duration, done func(orderView) bool) (orderView, error) {
	deadline := time.Now().Add(within)
	var last orderView
	for {
		o, r, err := s.getOrder(id, orderToken, bearerToken)
		switch {
		case err != nil:
			return last, err
		case r.Status != 200:
			return last, fmt.Errorf("order %s: %s", id, r)
		case done(o):
			return o, nil
		}
		last = o
		if time.Now().After(deadline) {
			return last, fmt.Errorf("order %s still %s after %s (history %v)", id, o.Status, within, o.path())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// orderMoves reads the shop's bazaar_order_transitions_total from
// /metrics: how many order moves to each status it committed.
func (s *shop) orderMoves(t testing.TB) map[string]int {
	t.Helper()
	r, err := s.call("GET", "/metrics", nil)
	if err != nil || r.Status != 200 {
		t.Fatalf("metrics: %v %s", err, r)
	}
	const prefix = `bazaar_order_transitions_total{to="`
	to := map[string]int{}
	for _, line := range strings.Split(string(r.Body), "\n") {
		name, value, ok := strings.Cut(line, " ")
		status, found := strings.CutPrefix(name, prefix)
		if !ok || !found {
			continue
		}
		n, err := strconv.ParseFloat(value, 64)
		if err != nil {
			t.Fatalf("metrics: %q", line)
		}
		to[strings.TrimSuffix(status, `"}`)] += int(n)
	}
	return to
}

// adminOrders lists every order (of a status, if given), all pages.
func (s *shop) adminOrders(status string) ([]orderView, error) {
	return adminPages[orderView](s, "/api/v1/admin/orders?page_size=100&status="+status)
}

// adminPages reads every page of a staff listing.
func adminPages[T any](s *shop, path string) ([]T, error) {
	var all []T
	for page := ""; ; {
		r, err := s.call("GET", path+"&page_token="+url.QueryEscape(page), nil, s.asAdmin()...)
		if err != nil {
			return nil, err
		}
		if r.Status != 200 {
			return nil, fmt.Errorf("%s: %s", path, r)
		}
		var p struct {
			Items []T    `json:"items"`
			Next  string `json:"next_page_token"`
		}
		if err := json.Unmarshal(r.Body, &p); err != nil {
			return nil, err
		}
		all = append(all, p.Items...)
		if p.Next == "" {
			return all, nil
		}
		page = p.Next
	}
}

// waitPaid polls the admin listing until want orders are paid and returns
// them with how long it took.
func (s *shop) waitPaid(want int, within time.Duration) ([]orderView, error) {
	deadline := time.Now().Add(within)
	for {
		paid, err := s.adminOrders("paid")
		if err != nil {
			return nil, err
		}
		if len(paid) >= want {
			return paid, nil
		}
		if time.Now().After(deadline) {
			return paid, fmt.Errorf("%d of %d orders paid after %s", len(paid), want, within)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// sseEvent is one event of an order's stream.
type sseEvent struct {
	ID    string
	Event string
	Order orderView
}

// follow opens an order's event stream; events arrive on the channel until
// the stream ends or stop is called. It fails the test unless the stream
// opens with 200.
func (s *shop) follow(eventsURL, orderToken, bearerToken string) (<-chan sseEvent, func()) {
	s.tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", s.url+eventsURL, nil)
	req.Header.Set("Accept", "text/event-stream")
	if orderToken != "" {
		req.Header.Set("X-Order-Token", orderToken)
	}
	if bearerToken != "" {
		req.Header.Set("Authorization", bearer(bearerToken))
	}
	resp, err := (&http.Client{Transport: shopTransport}).Do(req)
	if err != nil {
		cancel()
		s.tb.Fatal(err)
	}
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		cancel()
		s.tb.Fatalf("events %s: %d %s %s", eventsURL, resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	ch := make(chan sseEvent, 16)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(ch)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		var ev sseEvent
		var data string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if data != "" {
					_ = json.Unmarshal([]byte(data), &ev.Order)
					select {
					case ch <- ev:
					case <-ctx.Done():
						return
					}
				}
				ev, data = sseEvent{}, ""
			case strings.HasPrefix(line, "id:"):
				ev.ID = strings.TrimSpace(strings.TrimPrefix(line, "id:"))
			case strings.HasPrefix(line, "event:"):
				ev.Event = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
			case strings.HasPrefix(line, "data:"):
				data += strings.TrimSpace(strings.TrimPrefix(line, "data:"))
			}
		}
	}()
	return ch, func() { cancel(); wg.Wait() }
}

// percentile of sorted durations (p in [0,100]).
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p / 100)
	return sorted[i]
}

// parallel runs fn(i) for i in [0,n) on `workers` goroutines and returns
// the first error.
func parallel(n, workers int, fn func(i int) error) error {
	var (
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
	)
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := fn(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return first
}

// tally counts answers by "status code" ("202", "409 out_of_stock").
type tally struct {
	mu sync.Mutex
	n  map[string]int
}

func (t *tally) add(r reply, err error) {
	k := ""
	switch {
	case err != nil:
		k = "error: " + err.Error()
	case r.code() != "":
		k = fmt.Sprintf("%d %s", r.Status, r.code())
	default:
		k = fmt.Sprint(r.Status)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.n == nil {
		t.n = map[string]int{}
	}
	t.n[k]++
}

func (t *tally) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	keys := make([]string, 0, len(t.n))
	for k := range t.n {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s×%d ", k, t.n[k])
	}
	return strings.TrimSpace(b.String())
}
