// Package config is Bazaar's typed configuration: defaults, then BAZAAR_*
// environment variables, then command-line flags. Every setting is declared
// once in the fields table, which drives parsing, validation, the flags,
// `bazaar config` output (secrets masked) and the README's table. An unknown
// BAZAAR_ variable or a bad value stops start-up with a message naming it.
package config

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/logging"
)

// Services are the parts Bazaar is made of, in start order: a service
// starts after those it calls. "order-worker"
// is the order intake consumer, a role of its own in production.
var Services = []string{"identity", "inventory", "catalog", "payment", "cart", "order", "order-worker", "edge"}

// Config is the effective configuration of one process.
type Config struct {
	Addr                  string            // where the HTTP server listens
	PublicURL             string            // how shoppers reach the shop (links in mail)
	DataDir               string            // embedded mode: SQLite files and the NATS store
	DatabaseURL           string            // postgres://… selects PostgreSQL
	NATSURL               string            // nats://… selects an external JetStream
	RedisURL              string            // redis://… selects Redis for cache and limits
	Services              []string          // the services this process runs
	ServiceURLs           map[string]string // base URLs of services run elsewhere
	LogFormat             logging.Format
	LogLevel              slog.Level
	ShutdownTimeout       time.Duration // how long SIGTERM waits for in-flight work
	RequestTimeout        time.Duration // per-request deadline
	OrderPaymentTimeout   time.Duration // an unpaid order expires after it
	OrderReturnWindow     time.Duration // returns may be asked for this long after delivery
	MaxBodyBytes          int64
	TLSCertFile           string
	TLSKeyFile            string
	InternalSecret        string // signs X-Bazaar-Principal between services
	IdentityEncryptionKey string // seals TOTP secrets at rest
	SMTPURL               string // where mail goes; empty: the dev mailbox
	PaymentCardKey        string // seals card numbers
	PaymentSandbox        string // on, off, auto
	StripeSecretKey       string
	StripeWebhookSecret   string
	StripeAPIBase         string
	RazorpayKeyID         string
	RazorpayKeySecret     string
	RazorpayWebhookSecret string
	MailFrom              string
	Seed                  bool // seed the demo catalog into an empty store
}

// Embedded reports whether this process keeps its data in the data dir
// (no database URL given).
func (c *Config) Embedded() bool { return c.DatabaseURL == "" }

// Runs reports whether this process runs service s.
func (c *Config) Runs(s string) bool { return slices.Contains(c.Services, s) }

// field declares one setting.
type field struct {
	name   string // flag name; the variable is BAZAAR_ + upper(name with - as _)
	def    string
	help   string
	secret bool // mask in output: whole value, or a URL's password
	set    func(c *Config, v string) error
	get    func(c *Config) string
}

// Env is the environment variable of a field.
func (f field) Env() string {
	return "BAZAAR_" + strings.ToUpper(strings.ReplaceAll(f.name, "-", "_"))
}

// serviceURLVar names the variable holding a remote service's URL.
func serviceURLVar(s string) string {
	return "BAZAAR_" + strings.ToUpper(strings.ReplaceAll(s, "-", "_")) + "_URL"
}

// Load builds the configuration from environ ("KEY=value" pairs, as
// os.Environ) and args (flags after the subcommand). It returns every problem
// found, not just the first.
func Load(args, environ []string) (*Config, error) {
	c := &Config{ServiceURLs: map[string]string{}}
	var problems []error
	for _, f := range fields {
		if err := f.set(c, f.def); err != nil {
			panic(fmt.Sprintf("config: bad default for %s: %v", f.name, err))
		}
	}

	known := map[string]bool{}
	byEnv := map[string]field{}
	for _, f := range fields {
		known[f.Env()] = true
		byEnv[f.Env()] = f
	}
	for _, s := range Services {
		known[serviceURLVar(s)] = true
	}
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(k, "BAZAAR_") || strings.HasPrefix(k, "BAZAAR_TEST_") {
			continue // BAZAAR_TEST_* belong to the test suites
		}
		if !known[k] {
			problems = append(problems, fmt.Errorf("unknown variable %s%s", k, suggest(k, known)))
			continue
		}
		if f, ok := byEnv[k]; ok {
			if err := f.set(c, v); err != nil {
				problems = append(problems, fmt.Errorf("%s=%q: %v", k, mask(f, v), err))
			}
			continue
		}
		for _, s := range Services {
			if k == serviceURLVar(s) && v != "" {
				if err := checkHTTPURL(v); err != nil {
					problems = append(problems, fmt.Errorf("%s=%q: %v", k, v, err))
				}
				c.ServiceURLs[s] = strings.TrimRight(v, "/")
			}
		}
	}

	fs := flag.NewFlagSet("bazaar", flag.ContinueOnError)
	fs.SetOutput(discard{})
	for _, f := range fields {
		fs.Func(f.name, f.help+" ("+f.Env()+")", func(v string) error { return f.set(c, v) })
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		problems = append(problems, err)
	} else if fs.NArg() > 0 {
		problems = append(problems, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " ")))
	}
	problems = append(problems, c.validate()...)
	if len(problems) > 0 {
		return nil, &Error{Problems: problems}
	}
	return c, nil
}

// validate checks rules that span fields.
func (c *Config) validate() []error {
	var problems []error
	if (c.TLSCertFile == "") != (c.TLSKeyFile == "") {
		problems = append(problems, errors.New("BAZAAR_TLS_CERT_FILE and BAZAAR_TLS_KEY_FILE go together: set both or neither"))
	}
	if !c.Embedded() && len(c.Services) < len(Services) && c.InternalSecret == "" {
		problems = append(problems, errors.New("BAZAAR_INTERNAL_SECRET is required when services run in separate processes: they sign the caller's identity with it"))
	}
	if (c.RazorpayKeyID == "") != (c.RazorpayKeySecret == "") {
		problems = append(problems, errors.New("BAZAAR_RAZORPAY_KEY_ID and BAZAAR_RAZORPAY_KEY_SECRET go together"))
	}
	if c.PublicURL == "" {
		scheme := "http"
		if c.TLSCertFile != "" {
			scheme = "https"
		}
		c.PublicURL = scheme + "://" + c.Addr
	}
	return problems
}

// Error lists every configuration problem found.
type Error struct{ Problems []error }

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("configuration problems:")
	for _, p := range e.Problems {
		b.WriteString("\n  - ")
		b.WriteString(p.Error())
	}
	return b.String()
}

// suggest names the closest known variable, for typos.
func suggest(k string, known map[string]bool) string {
	best, bestD := "", 4
	for cand := range known {
		if d := editDistance(k, cand); d < bestD {
			best, bestD = cand, d
		}
	}
	if best == "" {
		return " (see `bazaar config --help` for the known ones)"
	}
	return " (did you mean " + best + "?)"
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// Setting is one line of the effective configuration.
type Setting struct {
	Env, Flag, Value, Default, Help string
	Secret                          bool
}

// Settings lists the effective configuration, secrets masked, in a fixed order.
func (c *Config) Settings() []Setting {
	var out []Setting
	for _, f := range fields {
		out = append(out, Setting{Env: f.Env(), Flag: "--" + f.name, Value: mask(f, f.get(c)), Default: f.def, Help: f.help, Secret: f.secret})
	}
	names := make([]string, 0, len(c.ServiceURLs))
	for s := range c.ServiceURLs {
		names = append(names, s)
	}
	sort.Strings(names)
	for _, s := range names {
		out = append(out, Setting{Env: serviceURLVar(s), Value: c.ServiceURLs[s], Help: "base URL of the " + s + " service run elsewhere"})
	}
	return out
}

// Documented lists every setting with its default, for docs and --help.
func Documented() []Setting {
	var out []Setting
	for _, f := range fields {
		out = append(out, Setting{Env: f.Env(), Flag: "--" + f.name, Default: f.def, Help: f.help, Secret: f.secret})
	}
	for _, s := range Services {
		out = append(out, Setting{Env: serviceURLVar(s), Help: "base URL of the " + s + " service when this process does not run it"})
	}
	return out
}

// mask hides a secret: a URL keeps its scheme, user and host but not its
// password; any other secret shows only that it is set.
func mask(f field, v string) string {
	if !f.secret || v == "" {
		return v
	}
	if u, err := url.Parse(v); err == nil && u.Scheme != "" && u.Host != "" {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
		return u.String()
	}
	return "(set, hidden)"
}

func checkHTTPURL(v string) error {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("want an http:// or https:// URL")
	}
	return nil
}

func checkHostPort(v string) error {
	host, port, err := net.SplitHostPort(v)
	if err != nil {
		return fmt.Errorf("want HOST:PORT: %v", err)
	}
	_ = host
	if port == "" {
		return errors.New("want HOST:PORT with a port")
	}
	return nil
}
