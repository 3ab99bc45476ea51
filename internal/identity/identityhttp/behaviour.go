package identityhttp

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/bazaarshop/bazaar/internal/identity"
)

type eventIn struct {
	Body identity.EventInput
}

type eventOut struct {
	SetCookie []http.Cookie `header:"Set-Cookie"`
	Body      struct {
		DeviceID string `json:"device_id,omitempty" doc:"The device id minted for a guest that sent none; it is also set as the device_id cookie."`
	}
}

type recommendationsIn struct {
	Limit int `query:"limit" minimum:"0" maximum:"50" doc:"How many products (12)."`
}

type recommendationsOut struct {
	Body identity.Recommendations
}

type purchasesOut struct {
	Body struct {
		Items []identity.Purchase `json:"items"`
	}
}

// deviceTTL is how long a guest's device cookie lives.
const deviceTTL = 365 * 24 * time.Hour

func (s *server) registerBehaviour() {
	huma.Register(s.api, s.op("record-event", "POST", "/api/v1/me/events", "Record a product view or a search (signed in, or a guest by device id)", http.StatusAccepted),
		func(ctx context.Context, in *eventIn) (*eventOut, error) {
			m := metaOf(ctx)
			out := &eventOut{}
			device := m.client.DeviceID
			if device == "" {
				// A guest without a device id gets one, so their views count.
				var b [18]byte
				_, _ = rand.Read(b[:])
				device = base64.RawURLEncoding.EncodeToString(b[:])
				out.Body.DeviceID = device
				out.SetCookie = []http.Cookie{{Name: DeviceCookie, Value: device, Path: "/", MaxAge: int(deviceTTL / time.Second),
					HttpOnly: true, Secure: s.secure(m.host), SameSite: http.SameSiteLaxMode}}
			}
			if err := s.svc.RecordEvent(ctx, device, in.Body); err != nil {
				return nil, fail(err)
			}
			return out, nil
		})
	huma.Register(s.api, s.op("recommendations", "GET", "/api/v1/me/recommendations", "Products to suggest (signed in, or a guest by device id)", http.StatusOK),
		func(ctx context.Context, in *recommendationsIn) (*recommendationsOut, error) {
			r, err := s.svc.Recommendations(ctx, metaOf(ctx).client.DeviceID, in.Limit)
			if err != nil {
				return nil, fail(err)
			}
			return &recommendationsOut{Body: r}, nil
		})
	huma.Register(s.api, s.op("purchases", "GET", "/api/v1/me/purchases", "Purchase history, the newest first", http.StatusOK, s.user()),
		func(ctx context.Context, _ *struct{}) (*purchasesOut, error) {
			list, err := s.svc.Purchases(ctx)
			if err != nil {
				return nil, fail(err)
			}
			out := &purchasesOut{}
			out.Body.Items = list
			return out, nil
		})
}
