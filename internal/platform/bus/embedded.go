package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// EmbeddedOptions configures the in-process NATS server.
type EmbeddedOptions struct {
	// Dir holds the JetStream file store; restarting on the same Dir keeps
	// streams, messages and consumer positions. Required.
	Dir string
	// Listen optionally opens a TCP listener ("127.0.0.1:4222"; port 0 picks
	// a free one). A missing host means 127.0.0.1, never all interfaces.
	// Empty: no listener, clients connect in-process only.
	Listen string
	// SyncAlways fsyncs every write. Without it the store is safe across a
	// process crash (the OS has the data) but may lose the last seconds of
	// writes on a power loss.
	SyncAlways bool
	// ReadyTimeout bounds start-up; default 10s.
	ReadyTimeout time.Duration
	// Logger receives the server's warnings and errors; nil: slog.Default().
	Logger *slog.Logger
}

// Server is an embedded NATS server with JetStream.
type Server struct {
	ns  *server.Server
	log *slog.Logger
}

// StartEmbedded starts nats-server in this process and waits until it
// accepts connections.
func StartEmbedded(o EmbeddedOptions) (*Server, error) {
	if o.Dir == "" {
		return nil, errors.New("bus: embedded server needs a store directory")
	}
	if o.ReadyTimeout <= 0 {
		o.ReadyTimeout = 10 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	opts := &server.Options{
		ServerName: "bazaar-embedded",
		JetStream:  true,
		StoreDir:   o.Dir,
		SyncAlways: o.SyncAlways,
		NoSigs:     true, // the binary owns signal handling
		DontListen: o.Listen == "",
	}
	if o.Listen != "" {
		host, port, err := splitListen(o.Listen)
		if err != nil {
			return nil, err
		}
		opts.Host, opts.Port = host, port
	}
	ns, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("bus: embedded server: %w", err)
	}
	ns.SetLogger(serverLogger{o.Logger}, false, false)
	ns.Start()
	if !ns.ReadyForConnections(o.ReadyTimeout) {
		ns.Shutdown()
		return nil, fmt.Errorf("bus: embedded server not ready after %s", o.ReadyTimeout)
	}
	if !ns.JetStreamEnabled() {
		ns.Shutdown()
		return nil, fmt.Errorf("bus: embedded server started without JetStream (store %s)", o.Dir)
	}
	return &Server{ns: ns, log: o.Logger}, nil
}

// splitListen keeps the server off public interfaces unless a host is named,
// and maps port 0 to nats-server's "random port" (its 0 means 4222).
func splitListen(addr string) (string, int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("bus: bad listen address %q: %w", addr, err)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("bus: bad listen port in %q", addr)
	}
	if port == 0 {
		port = server.RANDOM_PORT
	}
	return host, port, nil
}

// Connect opens a Bus on this server over an in-process pipe; Close on it
// leaves the server running.
func (s *Server) Connect(ctx context.Context) (*Bus, error) {
	return s.connect(ctx, "", s.log)
}

func (s *Server) connect(ctx context.Context, name string, log *slog.Logger) (*Bus, error) {
	return connect(ctx, "", name, log, nats.InProcessServer(s.ns))
}

// ClientURL is the nats:// URL of the TCP listener, or "" without one.
func (s *Server) ClientURL() string {
	if s.ns.Addr() == nil {
		return ""
	}
	return s.ns.ClientURL()
}

// Shutdown stops the server and waits until it has stopped and flushed its
// store.
func (s *Server) Shutdown() {
	s.ns.Shutdown()
	s.ns.WaitForShutdown()
}

// serverLogger sends nats-server's log to slog. Notices (the start-up banner)
// go to debug so that the embedded mode's log stays the application's.
type serverLogger struct{ l *slog.Logger }

func (s serverLogger) Noticef(f string, v ...any) { s.l.Debug("nats: " + fmt.Sprintf(f, v...)) }
func (s serverLogger) Warnf(f string, v ...any)   { s.l.Warn("nats: " + fmt.Sprintf(f, v...)) }
func (s serverLogger) Fatalf(f string, v ...any)  { s.l.Error("nats: " + fmt.Sprintf(f, v...)) }
func (s serverLogger) Errorf(f string, v ...any)  { s.l.Error("nats: " + fmt.Sprintf(f, v...)) }
func (s serverLogger) Debugf(f string, v ...any)  { s.l.Debug("nats: " + fmt.Sprintf(f, v...)) }
func (s serverLogger) Tracef(f string, v ...any)  { s.l.Debug("nats: " + fmt.Sprintf(f, v...)) }
