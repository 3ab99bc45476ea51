package authn

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// HeaderPrincipal carries a caller's identity from one Bazaar service to
// another: "v1.<payload>.<mac>", base64url, the MAC an HMAC-SHA256 under a
// secret only the services share. It binds the principal, the calling
// service, the request's method and path and an expiry a minute away, so a
// header seen on one call cannot be replayed on another route or later. The
// middleware strips the header from every request and trusts it only when
// the MAC verifies; a client outside the mesh cannot make one.
const HeaderPrincipal = "X-Bazaar-Principal"

// MinSecretBytes is the shortest service secret accepted: 256 bits.
const MinSecretBytes = 32

// ServiceTTL is how long a signed principal header stays valid.
const ServiceTTL = time.Minute

// clockSkew tolerates clocks of two hosts that disagree a little.
const clockSkew = 30 * time.Second

var serviceName = regexp.MustCompile(`^[a-z][a-z0-9-]{0,39}$`)

// Signer makes principal headers for the calls one service makes.
type Signer struct {
	service string
	secret  []byte
	now     func() time.Time
}

// NewSigner returns a signer for calls made by service (its name, e.g.
// "cart") with the shared secret (BAZAAR_INTERNAL_SECRET).
func NewSigner(service string, secret []byte) (*Signer, error) {
	if !serviceName.MatchString(service) {
		return nil, fmt.Errorf("authn: bad service name %q", service)
	}
	if len(secret) < MinSecretBytes {
		return nil, fmt.Errorf("authn: the internal secret must be at least %d bytes", MinSecretBytes)
	}
	return &Signer{service: service, secret: secret, now: time.Now}, nil
}

// claims is the signed payload.
type claims struct {
	Service string     `json:"svc"`
	User    *Principal `json:"usr,omitempty"`
	Expires int64      `json:"exp"`
}

// Sign returns the header value for a request of method to path (the
// escaped path, as req.URL.EscapedPath gives it). user is the end user the
// call is made for; nil when the service acts on its own behalf.
func (s *Signer) Sign(user *Principal, method, path string) string {
	c := claims{Service: s.service, Expires: s.now().Add(ServiceTTL).Unix()}
	if user != nil && user.IsUser() {
		u := *user
		u.Source, u.Service = "", ""
		c.User = &u
	}
	raw, _ := json.Marshal(c)
	payload := base64.RawURLEncoding.EncodeToString(raw)
	return "v1." + payload + "." + base64.RawURLEncoding.EncodeToString(mac(s.secret, method, path, payload))
}

func mac(secret []byte, method, path, payload string) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte("bazaar-principal-v1\n" + method + "\n" + path + "\n" + payload))
	return h.Sum(nil)
}

var errBadSignature = errors.New("authn: principal header does not verify")

// verifyService checks a principal header against every secret (the current
// one first; more during a rotation) and returns the principal it vouches for.
func verifyService(secrets [][]byte, value, method, path string, now time.Time) (Principal, error) {
	rest, ok := strings.CutPrefix(value, "v1.")
	if !ok || len(secrets) == 0 || len(value) > 4096 {
		return Principal{}, errBadSignature
	}
	payload, sig, ok := strings.Cut(rest, ".")
	if !ok {
		return Principal{}, errBadSignature
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil {
		return Principal{}, errBadSignature
	}
	valid := false
	for _, s := range secrets {
		if hmac.Equal(got, mac(s, method, path, payload)) {
			valid = true
			break
		}
	}
	if !valid {
		return Principal{}, errBadSignature
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return Principal{}, errBadSignature
	}
	var c claims
	if err := json.Unmarshal(raw, &c); err != nil || !serviceName.MatchString(c.Service) {
		return Principal{}, errBadSignature
	}
	exp := time.Unix(c.Expires, 0)
	if now.After(exp.Add(clockSkew)) || exp.Sub(now) > ServiceTTL+clockSkew {
		return Principal{}, errors.New("authn: principal header expired")
	}
	p := Principal{Role: RoleService}
	if c.User != nil {
		if !c.User.IsUser() {
			return Principal{}, errBadSignature
		}
		p = *c.User
	}
	p.Source, p.Service = SourceService, c.Service
	return p, nil
}

// Transport signs every request it sends with the principal on the
// request's context (or none: the service itself). Set it as the transport
// of a web.Client's http.Client:
//
//	cl.HTTP.Transport = authn.NewTransport(nil, signer)
type Transport struct {
	Base   http.RoundTripper // nil: http.DefaultTransport
	Signer *Signer
}

// NewTransport returns a Transport over base.
func NewTransport(base http.RoundTripper, s *Signer) *Transport {
	return &Transport{Base: base, Signer: s}
}

// RoundTrip adds the signed principal header to a copy of req.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	r := req.Clone(req.Context())
	var user *Principal
	if p, ok := FromContext(req.Context()); ok && p.IsUser() {
		user = &p
	}
	r.Header.Set(HeaderPrincipal, t.Signer.Sign(user, r.Method, r.URL.EscapedPath()))
	return base.RoundTrip(r)
}

// AsService returns ctx without the caller's principal, so that calls made
// with it go out as the service itself (a background job started by a
// request).
func AsService(ctx context.Context) context.Context {
	return context.WithValue(ctx, principalKey{}, nil)
}
