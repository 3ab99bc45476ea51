package config

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/logging"
)

// fields is every setting Bazaar reads. Add a setting here and it is parsed,
// validated, printed by `bazaar config` and listed in the README's table (a
// test checks the README).
var fields = []field{
	{
		name: "addr", def: "127.0.0.1:8080", help: "address the HTTP server listens on",
		set: func(c *Config, v string) error {
			if err := checkHostPort(v); err != nil {
				return err
			}
			c.Addr = v
			return nil
		},
		get: func(c *Config) string { return c.Addr },
	},
	{
		name: "public-url", def: "", help: "the shop's public base URL, for links in mail (default http://ADDR)",
		set: func(c *Config, v string) error {
			if v != "" {
				if err := checkHTTPURL(v); err != nil {
					return err
				}
			}
			c.PublicURL = strings.TrimRight(v, "/")
			return nil
		},
		get: func(c *Config) string { return c.PublicURL },
	},
	{
		name: "data-dir", def: "./data", help: "embedded mode: where the SQLite files and the NATS store live",
		set: func(c *Config, v string) error {
			if v == "" {
				return errors.New("must not be empty")
			}
			c.DataDir = v
			return nil
		},
		get: func(c *Config) string { return c.DataDir },
	},
	{
		name: "database-url", def: "", secret: true,
		help: "PostgreSQL URL (postgres://user:pass@host/db); empty: SQLite files in the data dir",
		set: func(c *Config, v string) error {
			if v != "" {
				if err := checkScheme(v, "postgres", "postgresql"); err != nil {
					return err
				}
			}
			c.DatabaseURL = v
			return nil
		},
		get: func(c *Config) string { return c.DatabaseURL },
	},
	{
		name: "nats-url", def: "", secret: true,
		help: "external NATS JetStream URL (nats://host:4222); empty: embedded JetStream in the data dir",
		set: func(c *Config, v string) error {
			if v != "" {
				if err := checkScheme(v, "nats", "tls"); err != nil {
					return err
				}
			}
			c.NATSURL = v
			return nil
		},
		get: func(c *Config) string { return c.NATSURL },
	},
	{
		name: "redis-url", def: "", secret: true,
		help: "Redis URL (redis://host:6379/0) for cache, sessions and rate limits; empty: in-process",
		set: func(c *Config, v string) error {
			if v != "" {
				if err := checkScheme(v, "redis", "rediss"); err != nil {
					return err
				}
			}
			c.RedisURL = v
			return nil
		},
		get: func(c *Config) string { return c.RedisURL },
	},
	{
		name: "services", def: "all", help: "services this process runs, comma-separated, or all: " + strings.Join(Services, ", "),
		set: func(c *Config, v string) error {
			if v == "" || v == "all" {
				c.Services = slices.Clone(Services)
				return nil
			}
			var out []string
			for _, s := range strings.Split(v, ",") {
				s = strings.TrimSpace(s)
				if !slices.Contains(Services, s) {
					return fmt.Errorf("unknown service %q (known: %s)", s, strings.Join(Services, ", "))
				}
				if !slices.Contains(out, s) {
					out = append(out, s)
				}
			}
			// Keep the canonical start order whatever order was given.
			c.Services = slices.DeleteFunc(slices.Clone(Services), func(s string) bool { return !slices.Contains(out, s) })
			return nil
		},
		get: func(c *Config) string {
			if slices.Equal(c.Services, Services) {
				return "all"
			}
			return strings.Join(c.Services, ",")
		},
	},
	{
		name: "log-format", def: "auto", help: "auto (text on a terminal, JSON otherwise), text or json",
		set: func(c *Config, v string) error {
			switch f := logging.Format(v); f {
			case logging.FormatAuto, logging.FormatText, logging.FormatJSON:
				c.LogFormat = f
				return nil
			}
			return errors.New("want auto, text or json")
		},
		get: func(c *Config) string { return string(c.LogFormat) },
	},
	{
		name: "log-level", def: "info", help: "debug, info, warn or error",
		set: func(c *Config, v string) error {
			l, err := logging.ParseLevel(v)
			c.LogLevel = l
			return err
		},
		get: func(c *Config) string { return strings.ToLower(c.LogLevel.String()) },
	},
	durationField("shutdown-timeout", "25s", "how long a SIGTERM waits for in-flight requests and messages", func(c *Config) *time.Duration { return &c.ShutdownTimeout }),
	durationField("request-timeout", "30s", "deadline of one API request", func(c *Config) *time.Duration { return &c.RequestTimeout }),
	durationField("order-payment-timeout", "15m", "how long an order may await payment before it expires and its stock goes back", func(c *Config) *time.Duration { return &c.OrderPaymentTimeout }),
	durationField("order-return-window", "720h", "how long after delivery a shopper may ask for a return", func(c *Config) *time.Duration { return &c.OrderReturnWindow }),
	{
		name: "max-body-bytes", def: "1048576", help: "largest request body accepted",
		set: func(c *Config, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1024 || n > 64<<20 {
				return errors.New("want a byte count from 1024 to 67108864")
			}
			c.MaxBodyBytes = n
			return nil
		},
		get: func(c *Config) string { return strconv.FormatInt(c.MaxBodyBytes, 10) },
	},
	{
		name: "tls-cert-file", def: "", help: "PEM certificate: serve HTTPS (TLS 1.2+) instead of HTTP",
		set: func(c *Config, v string) error { c.TLSCertFile = v; return nil },
		get: func(c *Config) string { return c.TLSCertFile },
	},
	{
		name: "tls-key-file", def: "", secret: true, help: "PEM private key for the certificate",
		set: func(c *Config, v string) error { c.TLSKeyFile = v; return nil },
		get: func(c *Config) string { return c.TLSKeyFile },
	},
	secretField("internal-secret", "signs the caller's identity between services (32+ characters); embedded mode: generated into the data dir", 32, func(c *Config) *string { return &c.InternalSecret }),
	secretField("identity-encryption-key", "seals TOTP secrets at rest (32+ characters); embedded mode: generated into the data dir", 32, func(c *Config) *string { return &c.IdentityEncryptionKey }),
	secretField("payment-card-key", "AES-256 key sealing card numbers: 32 bytes as 64 hex characters or base64; embedded mode: generated into the data dir", 32, func(c *Config) *string { return &c.PaymentCardKey }),
	{
		name: "payment-sandbox", def: "auto", help: "the built-in sandbox payment provider: on, off, or auto (on in the embedded mode only); it approves test payments without moving money",
		set: func(c *Config, v string) error {
			switch v {
			case "on", "off", "auto":
				c.PaymentSandbox = v
				return nil
			}
			return errors.New("want on, off or auto")
		},
		get: func(c *Config) string { return c.PaymentSandbox },
	},
	secretField("stripe-secret-key", "Stripe API key (sk_live_… or sk_test_…); set to take cards through Stripe", 8, func(c *Config) *string { return &c.StripeSecretKey }),
	secretField("stripe-webhook-secret", "Stripe webhook signing secret (whsec_…)", 8, func(c *Config) *string { return &c.StripeWebhookSecret }),
	{
		name: "stripe-api-base", def: "", help: "Stripe API base URL; empty: Stripe's own (set for stripe-mock)",
		set: func(c *Config, v string) error {
			if v != "" {
				if err := checkHTTPURL(v); err != nil {
					return err
				}
			}
			c.StripeAPIBase = v
			return nil
		},
		get: func(c *Config) string { return c.StripeAPIBase },
	},
	{
		name: "razorpay-key-id", def: "", help: "Razorpay key id; set to take UPI and net banking through Razorpay",
		set: func(c *Config, v string) error { c.RazorpayKeyID = v; return nil },
		get: func(c *Config) string { return c.RazorpayKeyID },
	},
	secretField("razorpay-key-secret", "Razorpay key secret", 8, func(c *Config) *string { return &c.RazorpayKeySecret }),
	secretField("razorpay-webhook-secret", "Razorpay webhook secret", 8, func(c *Config) *string { return &c.RazorpayWebhookSecret }),
	{
		name: "smtp-url", def: "", secret: true,
		help: "where mail is sent (smtp://user:pass@host:587 with STARTTLS, or smtps://); empty: kept for the dev mailbox",
		set: func(c *Config, v string) error {
			if v != "" {
				if err := checkScheme(v, "smtp", "smtps"); err != nil {
					return err
				}
			}
			c.SMTPURL = v
			return nil
		},
		get: func(c *Config) string { return c.SMTPURL },
	},
	{
		name: "mail-from", def: "Bazaar <no-reply@localhost>", help: "sender of the shop's mail",
		set: func(c *Config, v string) error {
			if _, err := mail.ParseAddress(v); err != nil {
				return errors.New("want an address such as Shop <no-reply@shop.example>")
			}
			c.MailFrom = v
			return nil
		},
		get: func(c *Config) string { return c.MailFrom },
	},
	{
		name: "seed", def: "on", help: "on: seed the demo catalog into an empty store at start; off: start empty",
		set: func(c *Config, v string) error {
			switch v {
			case "on", "true", "1":
				c.Seed = true
			case "off", "false", "0":
				c.Seed = false
			default:
				return errors.New("want on or off")
			}
			return nil
		},
		get: func(c *Config) string {
			if c.Seed {
				return "on"
			}
			return "off"
		},
	},
}

func secretField(name, help string, minLen int, ptr func(*Config) *string) field {
	return field{
		name: name, def: "", secret: true, help: help,
		set: func(c *Config, v string) error {
			if v != "" && len(v) < minLen {
				return fmt.Errorf("too short: use at least %d random characters (openssl rand -hex 32)", minLen)
			}
			*ptr(c) = v
			return nil
		},
		get: func(c *Config) string { return *ptr(c) },
	}
}

func durationField(name, def, help string, ptr func(*Config) *time.Duration) field {
	return field{
		name: name, def: def, help: help,
		set: func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return errors.New("want a positive duration such as 30s or 2m")
			}
			*ptr(c) = d
			return nil
		},
		get: func(c *Config) string { return ptr(c).String() },
	}
}

func checkScheme(v string, schemes ...string) error {
	u, err := url.Parse(v)
	if err != nil || !slices.Contains(schemes, u.Scheme) || u.Host == "" {
		return fmt.Errorf("want a %s:// URL", schemes[0])
	}
	return nil
}
