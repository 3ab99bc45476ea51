package identityhttp

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/bazaarshop/bazaar/internal/identity"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
)

type userOut struct {
	CSRFToken string `header:"X-CSRF-Token" doc:"For a cookie session, the token to echo on writes."`
	Body      identity.User
}

type patchMeIn struct {
	Body identity.UserPatch
}

type passwordIn struct {
	Body struct {
		Current string `json:"current_password"`
		New     string `json:"new_password"`
	}
}

type sessionsOut struct {
	Body struct {
		Items []identity.SessionInfo `json:"items"`
	}
}

type exportOut struct {
	ContentDisposition string `header:"Content-Disposition"`
	Body               identity.Export
}

type deleteMeIn struct {
	Body struct {
		Password string `json:"password" doc:"The current password, to confirm."`
	}
}

type totpOut struct {
	Body identity.TOTPEnrolment
}

type codeIn struct {
	Body struct {
		Code string `json:"code" maxLength:"10"`
	}
}

func (s *server) registerMe() {
	u := s.user()
	huma.Register(s.api, s.op("get-me", "GET", "/api/v1/me", "The signed-in account", http.StatusOK, u),
		func(ctx context.Context, _ *struct{}) (*userOut, error) {
			me, err := s.svc.Me(ctx)
			if err != nil {
				return nil, fail(err)
			}
			out := &userOut{Body: me}
			if p, _ := authn.FromContext(ctx); p.Source == authn.SourceCookie {
				out.CSRFToken = authn.CSRFToken(metaOf(ctx).session)
			}
			return out, nil
		})
	huma.Register(s.api, s.op("patch-me", "PATCH", "/api/v1/me", "Change name, phone or preferences", http.StatusOK, u),
		func(ctx context.Context, in *patchMeIn) (*userOut, error) {
			me, err := s.svc.UpdateMe(ctx, in.Body)
			if err != nil {
				return nil, fail(err)
			}
			return &userOut{Body: me}, nil
		})
	huma.Register(s.api, s.op("change-password", "POST", "/api/v1/me/password", "Change the password; other sessions end", http.StatusNoContent, u),
		func(ctx context.Context, in *passwordIn) (*struct{}, error) {
			return nil, fail(s.svc.ChangePassword(ctx, in.Body.Current, in.Body.New))
		})
	huma.Register(s.api, s.op("list-sessions", "GET", "/api/v1/me/sessions", "Open sessions of the account", http.StatusOK, u),
		func(ctx context.Context, _ *struct{}) (*sessionsOut, error) {
			list, err := s.svc.Sessions(ctx)
			if err != nil {
				return nil, fail(err)
			}
			out := &sessionsOut{}
			out.Body.Items = list
			return out, nil
		})
	huma.Register(s.api, s.op("export-me", "GET", "/api/v1/me/export", "Everything the account holds, as JSON", http.StatusOK, u),
		func(ctx context.Context, _ *struct{}) (*exportOut, error) {
			x, err := s.svc.Export(ctx)
			if err != nil {
				return nil, fail(err)
			}
			return &exportOut{ContentDisposition: `attachment; filename="bazaar-account.json"`, Body: x}, nil
		})
	huma.Register(s.api, s.op("delete-me", "DELETE", "/api/v1/me", "Erase the account's personal data", http.StatusNoContent, u),
		func(ctx context.Context, in *deleteMeIn) (*cookiesOut, error) {
			if err := s.svc.DeleteMe(ctx, in.Body.Password); err != nil {
				return nil, fail(err)
			}
			return &cookiesOut{SetCookie: s.clearCookies(metaOf(ctx).host)}, nil
		})
	huma.Register(s.api, s.op("enrol-totp", "POST", "/api/v1/me/totp", "Start two-factor enrolment", http.StatusOK, u),
		func(ctx context.Context, _ *struct{}) (*totpOut, error) {
			e, err := s.svc.EnrolTOTP(ctx)
			if err != nil {
				return nil, fail(err)
			}
			return &totpOut{Body: e}, nil
		})
	huma.Register(s.api, s.op("confirm-totp", "POST", "/api/v1/me/totp/confirm", "Turn two-factor sign-in on with a first code", http.StatusNoContent, u),
		func(ctx context.Context, in *codeIn) (*struct{}, error) {
			return nil, fail(s.svc.ConfirmTOTP(ctx, in.Body.Code))
		})
	huma.Register(s.api, s.op("disable-totp", "POST", "/api/v1/me/totp/disable", "Turn two-factor sign-in off with a current code", http.StatusNoContent, u),
		func(ctx context.Context, in *codeIn) (*struct{}, error) {
			return nil, fail(s.svc.DisableTOTP(ctx, in.Body.Code))
		})
}

type addressesOut struct {
	Body struct {
		Items []identity.Address `json:"items"`
	}
}

type addressOut struct {
	Location string `header:"Location"`
	Body     identity.Address
}

type addressIDIn struct {
	ID string `path:"id" maxLength:"64"`
}

type addressIn struct {
	Body identity.AddressInput
}

type addressPatchIn struct {
	ID   string `path:"id" maxLength:"64"`
	Body identity.AddressInput
}

func (s *server) registerAddresses() {
	u := s.user()
	huma.Register(s.api, s.op("list-addresses", "GET", "/api/v1/me/addresses", "The account's addresses, defaults first", http.StatusOK, u),
		func(ctx context.Context, _ *struct{}) (*addressesOut, error) {
			list, err := s.svc.Addresses(ctx)
			if err != nil {
				return nil, fail(err)
			}
			out := &addressesOut{}
			out.Body.Items = list
			return out, nil
		})
	huma.Register(s.api, s.op("create-address", "POST", "/api/v1/me/addresses", "Add an address", http.StatusCreated, u),
		func(ctx context.Context, in *addressIn) (*addressOut, error) {
			a, err := s.svc.CreateAddress(ctx, in.Body)
			if err != nil {
				return nil, fail(err)
			}
			return &addressOut{Location: "/api/v1/me/addresses/" + a.ID, Body: a}, nil
		})
	huma.Register(s.api, s.op("get-address", "GET", "/api/v1/me/addresses/{id}", "One address", http.StatusOK, u),
		func(ctx context.Context, in *addressIDIn) (*addressOut, error) {
			a, err := s.svc.Address(ctx, in.ID)
			if err != nil {
				return nil, fail(err)
			}
			return &addressOut{Body: a}, nil
		})
	huma.Register(s.api, s.op("update-address", "PATCH", "/api/v1/me/addresses/{id}", "Change an address", http.StatusOK, u),
		func(ctx context.Context, in *addressPatchIn) (*addressOut, error) {
			a, err := s.svc.UpdateAddress(ctx, in.ID, in.Body)
			if err != nil {
				return nil, fail(err)
			}
			return &addressOut{Body: a}, nil
		})
	huma.Register(s.api, s.op("delete-address", "DELETE", "/api/v1/me/addresses/{id}", "Remove an address", http.StatusNoContent, u),
		func(ctx context.Context, in *addressIDIn) (*struct{}, error) {
			return nil, fail(s.svc.DeleteAddress(ctx, in.ID))
		})
}
