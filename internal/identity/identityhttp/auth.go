package identityhttp

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/bazaarshop/bazaar/internal/identity"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
)

// SessionMode says how a new session is handed over: a cookie for
// browsers (the default; the token never reaches scripts) or a bearer token
// in the body for API clients.
type SessionMode string

const (
	ModeCookie SessionMode = "cookie"
	ModeBearer SessionMode = "bearer"
)

type signUpIn struct {
	Body identity.SignUpInput
}

type acceptedOut struct {
	Body struct {
		Status string `json:"status" example:"check_your_email"`
	}
}

func accepted() *acceptedOut {
	out := &acceptedOut{}
	out.Body.Status = "check_your_email"
	return out
}

type signInIn struct {
	Body struct {
		identity.SignInInput
		Session SessionMode `json:"session,omitempty" enum:"cookie,bearer" doc:"cookie (default) sets an HttpOnly session cookie; bearer returns the token in the body."`
	}
}

type verifyIn struct {
	Body struct {
		Token   string      `json:"token" maxLength:"100"`
		Session SessionMode `json:"session,omitempty" enum:"cookie,bearer"`
	}
}

// sessionBody is a new session as the client gets it.
type sessionBody struct {
	identity.Session
	CSRFToken string `json:"csrf_token,omitempty" doc:"For a cookie session: send it as X-CSRF-Token with every POST, PUT, PATCH and DELETE."`
}

type sessionOut struct {
	SetCookie []http.Cookie `header:"Set-Cookie"`
	Body      sessionBody
}

type emailIn struct {
	Body struct {
		Email string `json:"email" maxLength:"254"`
	}
}

type resetIn struct {
	Body struct {
		Token    string `json:"token" maxLength:"100"`
		Password string `json:"password"`
	}
}

type cookiesOut struct {
	SetCookie []http.Cookie `header:"Set-Cookie"`
}

type authenticateIn struct {
	Body struct {
		Token string `json:"token" maxLength:"100"`
	}
}

type principalOut struct {
	Body authn.Principal
}

func (s *server) registerAuth() {
	huma.Register(s.api, s.op("signup", "POST", "/api/v1/auth/signup", "Open an account", http.StatusAccepted),
		func(ctx context.Context, in *signUpIn) (*acceptedOut, error) {
			if err := s.svc.SignUp(ctx, in.Body, metaOf(ctx).client); err != nil {
				return nil, fail(err)
			}
			return accepted(), nil
		})
	huma.Register(s.api, s.op("signin", "POST", "/api/v1/auth/signin", "Sign in", http.StatusOK),
		func(ctx context.Context, in *signInIn) (*sessionOut, error) {
			sess, err := s.svc.SignIn(ctx, in.Body.SignInInput, metaOf(ctx).client)
			if err != nil {
				return nil, fail(err)
			}
			return s.handOver(ctx, sess, in.Body.Session), nil
		})
	huma.Register(s.api, s.op("verify-email", "POST", "/api/v1/auth/verify-email", "Confirm an email address and sign in", http.StatusOK),
		func(ctx context.Context, in *verifyIn) (*sessionOut, error) {
			sess, err := s.svc.VerifyEmail(ctx, in.Body.Token, metaOf(ctx).client)
			if err != nil {
				return nil, fail(err)
			}
			return s.handOver(ctx, sess, in.Body.Session), nil
		})
	huma.Register(s.api, s.op("resend-verification", "POST", "/api/v1/auth/verify-email/resend", "Mail a new verification link", http.StatusAccepted),
		func(ctx context.Context, in *emailIn) (*acceptedOut, error) {
			if err := s.svc.ResendVerification(ctx, in.Body.Email, metaOf(ctx).client); err != nil {
				return nil, fail(err)
			}
			return accepted(), nil
		})
	huma.Register(s.api, s.op("request-password-reset", "POST", "/api/v1/auth/password-reset", "Mail a password reset link", http.StatusAccepted),
		func(ctx context.Context, in *emailIn) (*acceptedOut, error) {
			if err := s.svc.RequestPasswordReset(ctx, in.Body.Email, metaOf(ctx).client); err != nil {
				return nil, fail(err)
			}
			return accepted(), nil
		})
	huma.Register(s.api, s.op("reset-password", "POST", "/api/v1/auth/password-reset/confirm", "Set a new password with a reset link", http.StatusNoContent),
		func(ctx context.Context, in *resetIn) (*struct{}, error) {
			return nil, fail(s.svc.ResetPassword(ctx, in.Body.Token, in.Body.Password))
		})
	huma.Register(s.api, s.op("signout", "POST", "/api/v1/auth/signout", "End this session", http.StatusNoContent, s.user()),
		func(ctx context.Context, _ *struct{}) (*cookiesOut, error) {
			if err := s.svc.SignOut(ctx); err != nil {
				return nil, fail(err)
			}
			return &cookiesOut{SetCookie: s.clearCookies(metaOf(ctx).host)}, nil
		})
	huma.Register(s.api, s.op("signout-all", "POST", "/api/v1/auth/signout-all", "End every session of the account", http.StatusNoContent, s.user()),
		func(ctx context.Context, _ *struct{}) (*cookiesOut, error) {
			if err := s.svc.SignOutAll(ctx); err != nil {
				return nil, fail(err)
			}
			return &cookiesOut{SetCookie: s.clearCookies(metaOf(ctx).host)}, nil
		})
	op := s.op("authenticate", "POST", "/api/v1/internal/authenticate", "Resolve a session token (for other Bazaar services)", http.StatusOK)
	op.Hidden = true
	huma.Register(s.api, op, func(ctx context.Context, in *authenticateIn) (*principalOut, error) {
		p, err := s.svc.Authenticate(ctx, in.Body.Token)
		if err != nil {
			return nil, err
		}
		return &principalOut{Body: p}, nil
	})
}

// handOver gives a new session to the client as it asked.
func (s *server) handOver(ctx context.Context, sess identity.Session, mode SessionMode) *sessionOut {
	out := &sessionOut{}
	if mode == ModeBearer {
		out.Body.Session = sess
		return out
	}
	out.SetCookie = s.sessionCookies(metaOf(ctx).host, sess.Token, sess.ExpiresAt)
	out.Body.CSRFToken = authn.CSRFToken(sess.Token)
	sess.Token = ""
	out.Body.Session = sess
	return out
}
