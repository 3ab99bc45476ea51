package identity

import (
	"context"
	"crypto/tls"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"strings"
	"time"
)

// SMTPMailer sends mail through an SMTP server named by a URL:
//
//	smtp://user:password@host:587   STARTTLS when the server offers it
//	smtps://user:password@host:465  TLS from the start
//
// Credentials are sent only over TLS (net/smtp refuses PLAIN otherwise,
// except to localhost).
type SMTPMailer struct {
	addr     string
	host     string
	implicit bool
	auth     smtp.Auth
	// TLS configures the connection; nil: verify the server's name.
	TLS *tls.Config
}

// NewSMTPMailer parses BAZAAR_SMTP_URL.
func NewSMTPMailer(rawURL string) (*SMTPMailer, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || (u.Scheme != "smtp" && u.Scheme != "smtps") {
		return nil, fmt.Errorf("identity: the SMTP URL must look like smtp://user:pass@host:587 or smtps://host:465")
	}
	host := u.Hostname()
	port := u.Port()
	if port == "" {
		port = "587"
		if u.Scheme == "smtps" {
			port = "465"
		}
	}
	m := &SMTPMailer{addr: net.JoinHostPort(host, port), host: host, implicit: u.Scheme == "smtps"}
	if u.User != nil {
		pw, _ := u.User.Password()
		m.auth = smtp.PlainAuth("", u.User.Username(), pw, host)
	}
	return m, nil
}

// Send delivers m from from.
func (s *SMTPMailer) Send(ctx context.Context, from string, m Mail) error {
	sender, err := mail.ParseAddress(from)
	if err != nil {
		return fmt.Errorf("identity: bad sender %q: %w", from, err)
	}
	if strings.ContainsAny(m.To, "\r\n") || strings.ContainsAny(m.Subject, "\r\n") {
		return fmt.Errorf("identity: header injection refused")
	}
	tlsCfg := s.TLS
	if tlsCfg == nil {
		tlsCfg = &tls.Config{ServerName: s.host, MinVersion: tls.VersionTLS12}
	}
	var d net.Dialer
	var conn net.Conn
	if s.implicit {
		conn, err = (&tls.Dialer{NetDialer: &d, Config: tlsCfg}).DialContext(ctx, "tcp", s.addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", s.addr)
	}
	if err != nil {
		return fmt.Errorf("smtp dial %s: %w", s.addr, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp hello: %w", err)
	}
	defer c.Close()
	if !s.implicit {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(tlsCfg); err != nil {
				return fmt.Errorf("smtp starttls: %w", err)
			}
		}
	}
	if s.auth != nil {
		if err := c.Auth(s.auth); err != nil {
			return fmt.Errorf("smtp auth: %w", err)
		}
	}
	if err := c.Mail(sender.Address); err != nil {
		return fmt.Errorf("smtp MAIL FROM: %w", err)
	}
	if err := c.Rcpt(m.To); err != nil {
		return fmt.Errorf("smtp RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp DATA: %w", err)
	}
	if _, err := w.Write(message(sender, m)); err != nil {
		return fmt.Errorf("smtp write: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp end of data: %w", err)
	}
	return c.Quit()
}

// message renders m as an RFC 5322 text message with CRLF line ends.
func message(from *mail.Address, m Mail) []byte {
	var b strings.Builder
	h := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	h("From", from.String())
	h("To", m.To)
	h("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	h("Date", m.CreatedAt.Format(time.RFC1123Z))
	h("Message-ID", "<"+m.ID+"@"+domainOf(from.Address)+">")
	h("MIME-Version", "1.0")
	h("Content-Type", "text/plain; charset=utf-8")
	h("Content-Transfer-Encoding", "8bit")
	b.WriteString("\r\n")
	// net/smtp's DATA writer does the dot-stuffing.
	for _, line := range strings.Split(strings.ReplaceAll(m.Body, "\r\n", "\n"), "\n") {
		b.WriteString(line + "\r\n")
	}
	return []byte(b.String())
}

func domainOf(addr string) string {
	if _, d, ok := strings.Cut(addr, "@"); ok {
		return d
	}
	return "localhost"
}
