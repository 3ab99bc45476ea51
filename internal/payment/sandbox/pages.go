package sandbox

import (
	"html/template"
	"net/http"
	"net/url"

	"github.com/bazaarshop/bazaar/internal/payment"
	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// Pages implements payment.PageProvider: the page a shopper meets for a
// 3-D Secure challenge, a bank's or a wallet's login. It shows the payment
// and two buttons; the choice settles the payment (and sends the webhook)
// and the shopper goes back to the shop's return URL.
//
// The buttons submit with GET to .../{ref}/decide: the page stands in for
// a bank's site, outside the shop's session, so it must work for a shopper
// signed in by cookie, whose POSTs the shop's CSRF rule would refuse. The
// ref, random and known only to the shopper's browser, is the capability;
// no money moves in the sandbox anyway. POST to the same URL works too.
func (p *Provider) Pages() map[string]http.Handler {
	return map[string]http.Handler{
		"GET " + PagePath + "{ref}":         http.HandlerFunc(p.showPage),
		"GET " + PagePath + "{ref}/decide":  http.HandlerFunc(p.decidePage),
		"POST " + PagePath + "{ref}/decide": http.HandlerFunc(p.decidePage),
	}
}

var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>{{.Title}} · Bazaar sandbox</title>
<style>body{font:16px system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#222}
.box{border:1px solid #ccc;border-radius:8px;padding:1.5rem}.amt{font-size:1.6rem;font-weight:600}
button{font:inherit;padding:.6rem 1.2rem;margin:.5rem .5rem 0 0;border-radius:6px;border:1px solid #888;cursor:pointer}
.ok{background:#1a7f37;color:#fff;border-color:#1a7f37}.note{color:#666;font-size:.85rem;margin-top:1.5rem}</style></head>
<body><div class="box"><p>{{.Title}}</p><p class="amt">{{.Amount}}</p><p>{{.What}}</p>
{{if .Done}}<p><strong>{{.Done}}</strong></p>{{else}}<form method="get" action="{{.Action}}">
<button class="ok" name="decision" value="approve">Approve</button>
<button name="decision" value="deny">Deny</button></form>{{end}}
<p class="note">Bazaar sandbox: no money moves. Approve or deny to test both outcomes.</p></div></body></html>`))

type pageData struct {
	Title, Amount, What, Done, Action string
}

func (p *Provider) pageData(ref string) (pageData, *pay, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	py, ok := p.payments[ref]
	if !ok {
		return pageData{}, nil, false
	}
	d := pageData{Title: "Bank page", Amount: money.Money{Amount: py.amount, Currency: py.currency}.Display(), Action: PagePath + ref + "/decide"}
	switch py.method {
	case payment.MethodCard:
		d.Title, d.What = "3-D Secure check", "Card ending "+py.last4
	case payment.MethodWallet:
		d.Title, d.What = "Wallet", "Pay with "+py.wallet
	case payment.MethodNetBanking:
		d.Title, d.What = "Net banking", "Pay from your account at "+py.bank
	case payment.MethodUPI:
		d.Title, d.What = "UPI", "Collect request to "+py.vpa
	}
	if py.status != payment.StatusRequiresAction && py.status != payment.StatusProcessing {
		d.Done = "This payment is " + string(py.status) + "."
	}
	cp := *py
	return d, &cp, true
}

func (p *Provider) showPage(w http.ResponseWriter, r *http.Request) {
	d, _, ok := p.pageData(r.PathValue("ref"))
	if !ok {
		http.Error(w, "no such sandbox payment", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	w.Header().Set("Referrer-Policy", "no-referrer") // the ref is in the URL
	_ = page.Execute(w, d)
}

func (p *Provider) decidePage(w http.ResponseWriter, r *http.Request) {
	ref := r.PathValue("ref")
	var err error
	switch r.FormValue("decision") {
	case "approve":
		err = p.Approve(ref)
	case "deny":
		err = p.Deny(ref)
	default:
		http.Error(w, "decision must be approve or deny", http.StatusBadRequest)
		return
	}
	if err != nil {
		http.Error(w, "no such sandbox payment", http.StatusNotFound)
		return
	}
	_, py, _ := p.pageData(ref)
	if py.returnURL != "" {
		u, perr := url.Parse(py.returnURL)
		if perr == nil {
			q := u.Query()
			q.Set("payment_intent", py.intentID)
			u.RawQuery = q.Encode()
			http.Redirect(w, r, u.String(), http.StatusSeeOther)
			return
		}
	}
	http.Redirect(w, r, PagePath+ref, http.StatusSeeOther)
}
