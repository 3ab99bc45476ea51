package identity_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/identity"
	"github.com/bazaarshop/bazaar/internal/identity/identitytest"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb/sqldbtest"
)

// flakyMailer fails its first `fail` sends, then records what it sends.
type flakyMailer struct {
	mu   sync.Mutex
	fail int
	sent []identity.Mail
}

func (m *flakyMailer) Send(ctx context.Context, from string, mail identity.Mail) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail > 0 {
		m.fail--
		return errors.New("smtp server down")
	}
	m.sent = append(m.sent, mail)
	return nil
}

func TestMailOutboxRetriesUntilSent(t *testing.T) {
	ctx := context.Background()
	clock := identitytest.NewClock()
	mailer := &flakyMailer{fail: 1}
	opts := identitytest.Options(clock)
	opts.Mailer = mailer
	core := identitytest.NewCore(t, sqldbtest.OpenSQLite(t), opts)
	if err := core.SignUp(ctx, identity.SignUpInput{Email: "m@example.com", Password: identitytest.Password, Name: "M"}, identity.ClientMeta{}); err != nil {
		t.Fatal(err)
	}
	if err := core.SendDueMail(ctx); err == nil {
		t.Fatal("a failed send not reported")
	}
	if err := core.SendDueMail(ctx); err != nil || len(mailer.sent) != 0 {
		t.Fatalf("retried before its time: %v %d", err, len(mailer.sent))
	}
	clock.Advance(2 * time.Minute)
	if err := core.SendDueMail(ctx); err != nil {
		t.Fatal(err)
	}
	if len(mailer.sent) != 1 || !strings.Contains(mailer.sent[0].Body, "/verify-email?token=") {
		t.Fatalf("sent %+v", mailer.sent)
	}
	clock.Advance(10 * time.Minute)
	if err := core.SendDueMail(ctx); err != nil || len(mailer.sent) != 1 {
		t.Fatalf("sent twice: %d", len(mailer.sent))
	}
	list, _ := core.DevMail(ctx, 10)
	if len(list) != 1 || list[0].SentAt == nil {
		t.Fatalf("outbox %+v", list)
	}
}

func TestRunMailerSendsAfterCommit(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	mailer := &flakyMailer{}
	opts := identitytest.Options(identitytest.NewClock())
	opts.Mailer = mailer
	core := identitytest.NewCore(t, sqldbtest.OpenSQLite(t), opts)
	done := make(chan error, 1)
	go func() { done <- core.RunMailer(ctx) }()
	if err := core.RequestPasswordReset(ctx, "nobody@example.com", identity.ClientMeta{}); err != nil {
		t.Fatal(err)
	}
	if _, err := core.CreateAdmin(ctx, "root@example.com", identitytest.Password); err != nil {
		t.Fatal(err)
	}
	if err := core.RequestPasswordReset(ctx, "root@example.com", identity.ClientMeta{}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		mailer.mu.Lock()
		n := len(mailer.sent)
		mailer.mu.Unlock()
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d mails sent, want 1", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// smtpServer is a minimal SMTP server on the loopback: the far end of the
// world, faked at its edge.
type smtpServer struct {
	ln   net.Listener
	mu   sync.Mutex
	auth string
	from string
	to   string
	data string
}

func startSMTP(t *testing.T) *smtpServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *smtpServer) serve(c net.Conn) {
	defer c.Close()
	tp := textproto.NewConn(c)
	_ = tp.PrintfLine("220 localhost ESMTP test")
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		s.mu.Lock()
		switch cmd {
		case "EHLO", "HELO":
			_ = tp.PrintfLine("250-localhost\r\n250 AUTH PLAIN")
		case "AUTH":
			raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(line, "AUTH PLAIN "))
			s.auth = string(raw)
			_ = tp.PrintfLine("235 ok")
		case "MAIL":
			s.from = line
			_ = tp.PrintfLine("250 ok")
		case "RCPT":
			s.to = line
			_ = tp.PrintfLine("250 ok")
		case "DATA":
			_ = tp.PrintfLine("354 go on")
			s.mu.Unlock()
			lines, _ := tp.ReadDotLines()
			s.mu.Lock()
			s.data = strings.Join(lines, "\n")
			_ = tp.PrintfLine("250 queued")
		case "QUIT":
			_ = tp.PrintfLine("221 bye")
			s.mu.Unlock()
			return
		default:
			_ = tp.PrintfLine("502 no")
		}
		s.mu.Unlock()
	}
}

func TestSMTPMailer(t *testing.T) {
	srv := startSMTP(t)
	m, err := identity.NewSMTPMailer("smtp://shop:s3cret@" + srv.ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	mail := identity.Mail{ID: "m1", To: "asha@example.com", Subject: "Confirm your email address", Body: "Hello,\n.\nlink", CreatedAt: time.Now()}
	if err := m.Send(context.Background(), "Bazaar <no-reply@shop.example>", mail); err != nil {
		t.Fatal(err)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.auth != "\x00shop\x00s3cret" || !strings.Contains(srv.from, "<no-reply@shop.example>") || !strings.Contains(srv.to, "<asha@example.com>") {
		t.Fatalf("auth %q from %q to %q", srv.auth, srv.from, srv.to)
	}
	for _, want := range []string{"To: asha@example.com", "Subject: Confirm your email address", "From: \"Bazaar\" <no-reply@shop.example>", "Content-Type: text/plain; charset=utf-8", "Hello,\n.\nlink"} {
		if !strings.Contains(srv.data, want) {
			t.Errorf("message lacks %q:\n%s", want, srv.data)
		}
	}
	if err := m.Send(context.Background(), "no-reply@shop.example", identity.Mail{To: "x@example.com\r\nBcc: evil@example.com", Subject: "s"}); err == nil {
		t.Fatal("header injection accepted")
	}
	for _, bad := range []string{"http://host", "smtp://", "::"} {
		if _, err := identity.NewSMTPMailer(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
