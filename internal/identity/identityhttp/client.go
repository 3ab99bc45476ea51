package identityhttp

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/bazaarshop/bazaar/internal/identity"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/web"
)

// Client calls identity over HTTP. Calls made for a user carry the
// principal of the context, signed by the client's authn.Signer; calls
// without one go out as the service itself.
type Client struct {
	web *web.Client
}

var (
	_ identity.Service = (*Client)(nil)
	_ authn.Resolver   = (*Client)(nil)
)

// NewClient returns a client of the identity service at baseURL. signer
// (authn.NewSigner(thisService, BAZAAR_INTERNAL_SECRET)) vouches for the
// callers; nil sends no identity, which leaves only the anonymous routes
// (sign-up, sign-in, token authentication) usable.
func NewClient(baseURL string, signer *authn.Signer) *Client {
	wc := web.NewClient(baseURL)
	if signer != nil {
		wc.HTTP.Transport = authn.NewTransport(nil, signer)
	}
	return &Client{web: wc}
}

func (c *Client) do(ctx context.Context, method, path string, body, out any, hdr http.Header) error {
	return c.web.Do(ctx, web.Call{Method: method, Path: path, Body: body, Header: hdr}, out)
}

// metaHeader forwards what the remote identity cannot see itself.
func metaHeader(m identity.ClientMeta) http.Header {
	h := http.Header{}
	if m.UserAgent != "" {
		h.Set("User-Agent", m.UserAgent)
	}
	if m.DeviceID != "" {
		h.Set(HeaderDeviceID, m.DeviceID)
	}
	if m.IP != "" {
		h.Set("X-Forwarded-For", m.IP)
	}
	return h
}

func (c *Client) Authenticate(ctx context.Context, token string) (authn.Principal, error) {
	var p authn.Principal
	err := c.do(ctx, "POST", "/api/v1/internal/authenticate", map[string]string{"token": token}, &p, nil)
	p.Source = ""
	return p, err
}

func (c *Client) SignUp(ctx context.Context, in identity.SignUpInput, meta identity.ClientMeta) error {
	return c.do(ctx, "POST", "/api/v1/auth/signup", in, nil, metaHeader(meta))
}

func (c *Client) SignIn(ctx context.Context, in identity.SignInInput, meta identity.ClientMeta) (identity.Session, error) {
	var out sessionBody
	body := struct {
		identity.SignInInput
		Session SessionMode `json:"session"`
	}{in, ModeBearer}
	err := c.do(ctx, "POST", "/api/v1/auth/signin", body, &out, metaHeader(meta))
	return out.Session, err
}

func (c *Client) VerifyEmail(ctx context.Context, token string, meta identity.ClientMeta) (identity.Session, error) {
	var out sessionBody
	err := c.do(ctx, "POST", "/api/v1/auth/verify-email", map[string]string{"token": token, "session": string(ModeBearer)}, &out, metaHeader(meta))
	return out.Session, err
}

func (c *Client) ResendVerification(ctx context.Context, email string, meta identity.ClientMeta) error {
	return c.do(ctx, "POST", "/api/v1/auth/verify-email/resend", map[string]string{"email": email}, nil, metaHeader(meta))
}

func (c *Client) RequestPasswordReset(ctx context.Context, email string, meta identity.ClientMeta) error {
	return c.do(ctx, "POST", "/api/v1/auth/password-reset", map[string]string{"email": email}, nil, metaHeader(meta))
}

func (c *Client) ResetPassword(ctx context.Context, token, password string) error {
	return c.do(ctx, "POST", "/api/v1/auth/password-reset/confirm", map[string]string{"token": token, "password": password}, nil, nil)
}

func (c *Client) SignOut(ctx context.Context) error {
	return c.do(ctx, "POST", "/api/v1/auth/signout", nil, nil, nil)
}

func (c *Client) SignOutAll(ctx context.Context) error {
	return c.do(ctx, "POST", "/api/v1/auth/signout-all", nil, nil, nil)
}

func (c *Client) Me(ctx context.Context) (identity.User, error) {
	var u identity.User
	err := c.do(ctx, "GET", "/api/v1/me", nil, &u, nil)
	return u, err
}

func (c *Client) UpdateMe(ctx context.Context, p identity.UserPatch) (identity.User, error) {
	var u identity.User
	err := c.do(ctx, "PATCH", "/api/v1/me", p, &u, nil)
	return u, err
}

func (c *Client) ChangePassword(ctx context.Context, current, next string) error {
	return c.do(ctx, "POST", "/api/v1/me/password", map[string]string{"current_password": current, "new_password": next}, nil, nil)
}

func (c *Client) Sessions(ctx context.Context) ([]identity.SessionInfo, error) {
	var out struct {
		Items []identity.SessionInfo `json:"items"`
	}
	err := c.do(ctx, "GET", "/api/v1/me/sessions", nil, &out, nil)
	return out.Items, err
}

func (c *Client) Export(ctx context.Context) (identity.Export, error) {
	var x identity.Export
	err := c.do(ctx, "GET", "/api/v1/me/export", nil, &x, nil)
	return x, err
}

func (c *Client) DeleteMe(ctx context.Context, password string) error {
	return c.do(ctx, "DELETE", "/api/v1/me", map[string]string{"password": password}, nil, nil)
}

func (c *Client) EnrolTOTP(ctx context.Context) (identity.TOTPEnrolment, error) {
	var e identity.TOTPEnrolment
	err := c.do(ctx, "POST", "/api/v1/me/totp", nil, &e, nil)
	return e, err
}

func (c *Client) ConfirmTOTP(ctx context.Context, code string) error {
	return c.do(ctx, "POST", "/api/v1/me/totp/confirm", map[string]string{"code": code}, nil, nil)
}

func (c *Client) DisableTOTP(ctx context.Context, code string) error {
	return c.do(ctx, "POST", "/api/v1/me/totp/disable", map[string]string{"code": code}, nil, nil)
}

func (c *Client) Addresses(ctx context.Context) ([]identity.Address, error) {
	var out struct {
		Items []identity.Address `json:"items"`
	}
	err := c.do(ctx, "GET", "/api/v1/me/addresses", nil, &out, nil)
	return out.Items, err
}

func addressPath(id string) string { return "/api/v1/me/addresses/" + url.PathEscape(id) }

func (c *Client) Address(ctx context.Context, id string) (identity.Address, error) {
	var a identity.Address
	err := c.do(ctx, "GET", addressPath(id), nil, &a, nil)
	return a, err
}

func (c *Client) CreateAddress(ctx context.Context, in identity.AddressInput) (identity.Address, error) {
	var a identity.Address
	err := c.do(ctx, "POST", "/api/v1/me/addresses", in, &a, nil)
	return a, err
}

func (c *Client) UpdateAddress(ctx context.Context, id string, in identity.AddressInput) (identity.Address, error) {
	var a identity.Address
	err := c.do(ctx, "PATCH", addressPath(id), in, &a, nil)
	return a, err
}

func (c *Client) DeleteAddress(ctx context.Context, id string) error {
	return c.do(ctx, "DELETE", addressPath(id), nil, nil, nil)
}

func deviceHeader(id string) http.Header {
	if id == "" {
		return nil
	}
	return http.Header{HeaderDeviceID: {id}}
}

func (c *Client) RecordEvent(ctx context.Context, deviceID string, in identity.EventInput) error {
	if p, ok := authn.FromContext(ctx); (!ok || !p.IsUser()) && !identity.ValidDeviceID(deviceID) {
		return identity.ErrNoActor // the server would mint a device id nobody keeps
	}
	return c.do(ctx, "POST", "/api/v1/me/events", in, nil, deviceHeader(deviceID))
}

func (c *Client) Recommendations(ctx context.Context, deviceID string, limit int) (identity.Recommendations, error) {
	var r identity.Recommendations
	q := url.Values{}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(min(limit, 50)))
	}
	err := c.web.Do(ctx, web.Call{Method: "GET", Path: "/api/v1/me/recommendations", Query: q, Header: deviceHeader(deviceID)}, &r)
	return r, err
}

func (c *Client) Purchases(ctx context.Context) ([]identity.Purchase, error) {
	var out struct {
		Items []identity.Purchase `json:"items"`
	}
	err := c.do(ctx, "GET", "/api/v1/me/purchases", nil, &out, nil)
	return out.Items, err
}

func (c *Client) Users(ctx context.Context, q identity.UserQuery) (identity.UserPage, error) {
	v := url.Values{}
	if q.Email != "" {
		v.Set("email", q.Email)
	}
	if q.Role != "" {
		v.Set("role", string(q.Role))
	}
	if q.PageSize > 0 {
		v.Set("page_size", strconv.Itoa(min(q.PageSize, 200)))
	}
	if q.PageToken != "" {
		v.Set("page_token", q.PageToken)
	}
	var page identity.UserPage
	err := c.web.Do(ctx, web.Call{Method: "GET", Path: "/api/v1/admin/users", Query: v}, &page)
	return page, err
}

func (c *Client) User(ctx context.Context, id string) (identity.User, error) {
	var u identity.User
	err := c.do(ctx, "GET", "/api/v1/admin/users/"+url.PathEscape(id), nil, &u, nil)
	return u, err
}

func (c *Client) SetRole(ctx context.Context, id string, role authn.Role) (identity.User, error) {
	var u identity.User
	err := c.do(ctx, "PATCH", "/api/v1/admin/users/"+url.PathEscape(id), map[string]string{"role": string(role)}, &u, nil)
	return u, err
}

// DevMail reads the development mailbox (only served in dev mode).
func (c *Client) DevMail(ctx context.Context) ([]identity.Mail, error) {
	var out struct {
		Items []identity.Mail `json:"items"`
	}
	err := c.do(ctx, "GET", "/api/v1/dev/mail", nil, &out, nil)
	return out.Items, err
}
