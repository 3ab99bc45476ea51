package identityhttp

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/bazaarshop/bazaar/internal/identity"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
)

type usersIn struct {
	Email     string `query:"email" maxLength:"254" doc:"A prefix of the email address."`
	Role      string `query:"role" enum:"customer,staff,admin,"`
	PageSize  int    `query:"page_size" minimum:"0" maximum:"200"`
	PageToken string `query:"page_token" maxLength:"64"`
}

type usersOut struct {
	Body identity.UserPage
}

type userIDIn struct {
	ID string `path:"id" maxLength:"64"`
}

type setRoleIn struct {
	ID   string `path:"id" maxLength:"64"`
	Body struct {
		Role authn.Role `json:"role" enum:"customer,staff,admin"`
	}
}

type mailOut struct {
	Body struct {
		Items []identity.Mail `json:"items"`
	}
}

func (s *server) registerAdmin() {
	staff := authn.RequireRole(s.api, authn.RoleStaff, authn.RoleAdmin)
	admin := authn.RequireRole(s.api, authn.RoleAdmin)
	huma.Register(s.api, s.op("list-users", "GET", "/api/v1/admin/users", "Accounts (staff)", http.StatusOK, staff),
		func(ctx context.Context, in *usersIn) (*usersOut, error) {
			page, err := s.svc.Users(ctx, identity.UserQuery{Email: in.Email, Role: authn.Role(in.Role), PageSize: in.PageSize, PageToken: in.PageToken})
			if err != nil {
				return nil, fail(err)
			}
			return &usersOut{Body: page}, nil
		})
	huma.Register(s.api, s.op("get-user", "GET", "/api/v1/admin/users/{id}", "One account (staff)", http.StatusOK, staff),
		func(ctx context.Context, in *userIDIn) (*userOut, error) {
			u, err := s.svc.User(ctx, in.ID)
			if err != nil {
				return nil, fail(err)
			}
			return &userOut{Body: u}, nil
		})
	huma.Register(s.api, s.op("set-user-role", "PATCH", "/api/v1/admin/users/{id}", "Change an account's role (admin); its sessions end", http.StatusOK, admin),
		func(ctx context.Context, in *setRoleIn) (*userOut, error) {
			u, err := s.svc.SetRole(ctx, in.ID, in.Body.Role)
			if err != nil {
				return nil, fail(err)
			}
			return &userOut{Body: u}, nil
		})
}

func (s *server) registerDev() {
	huma.Register(s.api, s.op("dev-mail", "GET", "/api/v1/dev/mail", "Development mailbox: mail the shop has sent or queued", http.StatusOK),
		func(ctx context.Context, _ *struct{}) (*mailOut, error) {
			list, err := s.opts.Mailbox(ctx, 100)
			if err != nil {
				return nil, err
			}
			out := &mailOut{}
			out.Body.Items = list
			return out, nil
		})
}
