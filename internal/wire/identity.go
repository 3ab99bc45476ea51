package wire

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/bazaarshop/bazaar/internal/identity"
	"github.com/bazaarshop/bazaar/internal/identity/identitydb"
	"github.com/bazaarshop/bazaar/internal/identity/identityhttp"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/bus/outbox"
	"github.com/bazaarshop/bazaar/internal/platform/cache"
	"github.com/bazaarshop/bazaar/internal/platform/config"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

var identityModule = module{
	name:       "identity",
	migrations: []sqldb.Migrations{identitydb.Migrations, outbox.Migrations},
	build:      buildIdentity,
}

func buildIdentity(ctx context.Context, a *App, db *sqldb.DB) error {
	relay, err := a.startOutbox(ctx, "identity", db, identity.Stream)
	if err != nil {
		return err
	}
	key, err := a.devSecret(a.cfg.IdentityEncryptionKey, "identity-encryption-key")
	if err != nil {
		return err
	}
	if key == "" {
		a.log.Warn("BAZAAR_IDENTITY_ENCRYPTION_KEY is unset: TOTP secrets are stored unsealed")
	}
	var mailer identity.Mailer
	if a.cfg.SMTPURL != "" {
		m, err := identity.NewSMTPMailer(a.cfg.SMTPURL)
		if err != nil {
			return fmt.Errorf("BAZAAR_SMTP_URL: %w", err)
		}
		mailer = m
	}
	core := identity.NewCore(identitydb.New(db), identity.Options{
		Cache:         cache.Namespace(a.Cache, "identity"),
		Logger:        a.log.With("service", "identity"),
		Mailer:        mailer,
		MailFrom:      a.cfg.MailFrom,
		PublicURL:     a.cfg.PublicURL,
		EncryptionKey: []byte(key),
		OnCommit:      relay.Notify,
		Bus:           a.Bus,
	})
	dev := a.cfg.Embedded() && a.cfg.SMTPURL == ""
	identityhttp.Register(a.Router.API, core, identityhttp.Options{Dev: dev, Mailbox: core.DevMail})
	a.addWorker("identity-mailer", core.RunMailer)
	a.addWorker("identity-consumers", core.RunConsumers)
	a.addWorker("identity-housekeeping", core.RunHousekeeping)
	a.Identity = core
	return nil
}

// identityService is identity in this process, or a client of the process
// that runs it.
func (a *App) identityService() (identity.Service, error) {
	if a.Identity != nil {
		return a.Identity, nil
	}
	url, err := a.remoteURL("identity")
	if err != nil {
		return nil, err
	}
	return identityhttp.NewClient(url, a.signer), nil
}

// authenticate resolves a session token through identity, wherever it runs.
// It is bound late: the router's middleware exists before the services do.
func (a *App) authenticate(ctx context.Context, token string) (authn.Principal, error) {
	svc, err := a.identityService()
	if err != nil {
		return authn.Principal{}, err
	}
	return svc.Authenticate(ctx, token)
}

// CreateAdmin makes (or promotes) an admin account directly in the identity
// store, for `bazaar admin create` on a shop with no admin yet. Its events
// wait in the outbox until the shop next runs.
func CreateAdmin(ctx context.Context, cfg *config.Config, log *slog.Logger, email, password string) (identity.User, error) {
	db, err := openMigrated(ctx, storeURL(cfg), identityModule)
	if err != nil {
		return identity.User{}, err
	}
	defer db.Close()
	core := identity.NewCore(identitydb.New(db), identity.Options{Logger: log})
	return core.CreateAdmin(ctx, email, password)
}
