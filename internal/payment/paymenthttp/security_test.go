package paymenthttp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/payment"
	"github.com/bazaarshop/bazaar/internal/payment/paymenttest"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/ids"
	"github.com/bazaarshop/bazaar/internal/platform/money"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb/sqldbtest"
)

// post sends a raw JSON request, as a browser would, and returns the
// status and body.
func post(t *testing.T, base, path, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(base+path, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// The card number reaches the payment service and stays in it, sealed: no
// log line, no response and no database row holds a PAN or a CVC.
func TestNoCardDataInLogsOrStore(t *testing.T) {
	sqldbtest.ForEachDialect(t, func(t *testing.T, db *sqldb.DB) {
		var defaultLogs paymenttest.SafeBuffer
		old := slog.Default()
		slog.SetDefault(slog.New(slog.NewJSONHandler(&defaultLogs, &slog.HandlerOptions{Level: slog.LevelDebug})))
		t.Cleanup(func() { slog.SetDefault(old) })

		s := newServer(t, db, paymenttest.Config{})
		year := time.Now().Year() + 2
		pans := []string{"4242424242424242", "378282246310005", "4000000000003220", "4000000000000002", "4242424242424241", "6521500000000006"}
		cvcs := []string{"739", "7391"}
		var responses bytes.Buffer

		// A shopper's browser, anonymous and signed in, sends cards straight
		// to the payment service; bad ones are refused without echo.
		for _, body := range []string{
			fmt.Sprintf(`{"type":"card","card":{"number":"4242 4242 4242 4242","exp_month":12,"exp_year":%d,"cvc":"739"}}`, year),
			fmt.Sprintf(`{"type":"card","card":{"number":"4242424242424241","exp_month":12,"exp_year":%d,"cvc":"739"}}`, year),
			fmt.Sprintf(`{"type":"card","card":{"number":"378282246310005","exp_month":12,"exp_year":%d,"cvc":"739"}}`, year),
			`{"type":"card","card":{"number":"4242424242424242","exp_month":"twelve","exp_year":2030,"cvc":"739"}}`,
			`{"type":"card","card":{"number":"4242424242424242","exp_month":12,"exp_year":2030,"cvc":"739","extra":"x"}}`,
			`{"type":"card","card":{"number":4242424242424242,"exp_month":12,"exp_year":2030,"cvc":739}}`,
		} {
			status, resp := post(t, s.URL, "/api/v1/payments/methods", body)
			responses.WriteString(resp)
			if status != http.StatusCreated && status != http.StatusBadRequest {
				t.Fatalf("tokenise: %d %s", status, resp)
			}
		}

		// Full flows through the client: save, pay, capture, refund;
		// a challenge through its page; a decline.
		cust := paymenttest.Customer("cust-pan")
		amex := must(s.client.CreateMethod(cust, payment.CreateMethodInput{Type: payment.MethodCard, Save: true,
			Card: &payment.CardInput{Number: "3782 822463 10005", ExpMonth: 1, ExpYear: year, CVC: "7391", Name: "A Shopper"}}))(t)
		it := must(s.client.CreateIntent(paymenttest.Service, payment.CreateIntentInput{IdempotencyKey: ids.New(), OrderID: ids.New(),
			CustomerID: "cust-pan", Amount: money.MustNew(5000, "INR"), Confirm: true, Method: payment.MethodInput{Type: payment.MethodCard, Token: amex.ID}}))(t)
		must(s.client.CaptureIntent(paymenttest.Service, it.ID, payment.CaptureIntentInput{}))(t)
		must(s.client.RefundIntent(paymenttest.Service, it.ID, payment.RefundIntentInput{IdempotencyKey: "r", Amount: money.MustNew(100, "INR")}))(t)
		challenge := paymenttest.CardIntent(t, s.env, "4000 0000 0000 3220", true)
		resp, err := http.Get(challenge.NextAction.URL)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		responses.Write(page)
		if !strings.Contains(string(page), "3220") {
			t.Fatalf("challenge page does not name the card: %s", page)
		}
		paymenttest.CardIntent(t, s.env, "4000000000000002", true)
		_, err = s.client.CreateMethod(paymenttest.Guest, payment.CreateMethodInput{Type: payment.MethodCard,
			Card: &payment.CardInput{Number: "6521500000000006", ExpMonth: 13, ExpYear: year, CVC: "739"}})
		if err == nil {
			t.Fatal("a bad expiry was accepted")
		}
		responses.WriteString(err.Error())

		logs := s.env.Logs.String() + defaultLogs.String()
		if !strings.Contains(logs, `"status":201`) {
			t.Fatal("the request log is not captured: this test would prove nothing")
		}
		where := map[string]string{"logs": logs, "responses": responses.String(), "database": dump(t, db)}
		for name, text := range where {
			for _, pan := range pans {
				spaced := regexp.MustCompile(`(\d{4})`).ReplaceAllString(pan, "$1 ")
				if strings.Contains(text, pan) || strings.Contains(text, strings.TrimSpace(spaced)) {
					t.Errorf("%s hold the card number %s", name, pan)
				}
			}
			for _, cvc := range cvcs {
				if regexp.MustCompile(`(^|[^0-9a-fA-F])` + cvc + `([^0-9a-fA-F]|$)`).MatchString(text) {
					t.Errorf("%s hold the CVC %s", name, cvc)
				}
			}
			if regexp.MustCompile(`(?i)"cvc"\s*:\s*"\d`).MatchString(text) {
				t.Errorf("%s hold a CVC field", name)
			}
		}
		if cols := columnNames(t, db); regexp.MustCompile(`(?i)cvc|cvv`).MatchString(cols) {
			t.Errorf("the schema has a column for CVCs:\n%s", cols)
		}
	})
}

func must[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// tables lists the store's tables.
func tables(t *testing.T, db *sqldb.DB) []string {
	q := `SELECT name FROM sqlite_master WHERE type = 'table'`
	if db.Dialect() == sqldb.Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = '` + db.Schema() + `'`
	}
	return sqldbtest.Strings(t, db, q)
}

func columnNames(t *testing.T, db *sqldb.DB) string {
	var b strings.Builder
	for _, table := range tables(t, db) {
		rows, err := db.QueryContext(context.Background(), `SELECT * FROM `+table+` LIMIT 0`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		rows.Close()
		b.WriteString(table + ": " + strings.Join(cols, ",") + "\n")
	}
	return b.String()
}

// dump renders every row of every table as text.
func dump(t *testing.T, db *sqldb.DB) string {
	var b strings.Builder
	n := 0
	for _, table := range tables(t, db) {
		rows, err := db.QueryContext(context.Background(), `SELECT * FROM `+table)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				if bs, ok := v.([]byte); ok {
					b.Write(bs)
				} else {
					fmt.Fprint(&b, v)
				}
				b.WriteByte('|')
			}
			b.WriteByte('\n')
			n++
		}
		rows.Close()
	}
	if n < 10 {
		t.Fatalf("the dump has %d rows: the flows did not reach the store", n)
	}
	return b.String()
}

func TestGuardsAndPages(t *testing.T) {
	s := newServer(t, sqldbtest.OpenSQLite(t), paymenttest.Config{})
	it := paymenttest.CardIntent(t, s.env, "4000000000003220", false)
	it = must(s.client.ConfirmIntent(paymenttest.Service, it.ID, payment.ConfirmIntentInput{ReturnURL: "https://shop.example/done?x=1"}))(t)

	// Anonymous callers get 401, customers 403 on the shop's routes.
	for _, tc := range []struct{ method, path string }{
		{"GET", "/api/v1/payments/intents/" + it.ID},
		{"GET", "/api/v1/payments/intents"},
		{"POST", "/api/v1/payments/intents/" + it.ID + "/capture"},
		{"GET", "/api/v1/payments/methods"},
		{"GET", "/api/v1/admin/payments/ledger"},
	} {
		req, _ := http.NewRequest(tc.method, s.URL+tc.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("anonymous %s %s = %d", tc.method, tc.path, resp.StatusCode)
		}
	}
	_, err := s.client.CaptureIntent(paymenttest.Customer("cust-1"), it.ID, payment.CaptureIntentInput{})
	if !errors.Is(err, authn.ErrForbidden) {
		t.Errorf("customer capture = %v", err)
	}

	// The challenge page: shows the payment, settles it, sends the shopper back.
	resp, err := http.Get(it.NextAction.URL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "₹100.00") || !strings.Contains(string(page), "Approve") {
		t.Fatalf("page = %d %s", resp.StatusCode, page)
	}
	// The page's buttons submit a GET form (a cookie-signed-in shopper's
	// POST would meet the CSRF rule); follow it as a browser would.
	action := regexp.MustCompile(`action="([^"]+)"`).FindStringSubmatch(string(page))
	if action == nil {
		t.Fatalf("no form action in %s", page)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = noRedirect.Get(s.URL + action[1] + "?" + url.Values{"decision": {"approve"}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "https://shop.example/done?") || !strings.Contains(loc, "payment_intent="+it.ID) {
		t.Fatalf("after approving: %d %s", resp.StatusCode, loc)
	}
	paymenttest.Wait(t, 5*time.Second, "the webhook over HTTP", func() bool {
		got, err := s.client.GetIntent(paymenttest.Service, it.ID)
		return err == nil && got.Status == payment.StatusAuthorized
	})

	// A webhook that does not verify is refused with a problem.
	status, body := post(t, s.URL, "/api/v1/payments/webhooks/sandbox", `{"id":"evt_x"}`)
	if status != http.StatusUnauthorized || !strings.Contains(body, "webhook_signature_invalid") {
		t.Fatalf("unsigned webhook = %d %s", status, body)
	}
	status, _ = post(t, s.URL, "/api/v1/payments/webhooks/nope", `{}`)
	if status != http.StatusNotFound {
		t.Fatalf("unknown provider = %d", status)
	}

	// The operations are in the OpenAPI document.
	resp, err = http.Get(s.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
		} `json:"paths"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if doc.Paths["/api/v1/payments/intents/{id}/refunds"]["post"].OperationID != "refund-payment-intent" {
		t.Fatalf("openapi paths = %v", doc.Paths)
	}
}
