package identity

import (
	"context"
	"time"
)

// Mailer delivers one message. SMTPMailer is the real one.
type Mailer interface {
	Send(ctx context.Context, from string, m Mail) error
}

// mail delivery: retries back off from 30 s to an hour, and a message is
// given up after maxMailAttempts; everything is deleted after mailKeep.
const (
	maxMailAttempts = 12
	mailKeep        = 7 * 24 * time.Hour
)

// queueMail adds a message to the outbox in tx; RunMailer sends it after the
// commit, so mail goes out only for what really happened.
func (c *Core) queueMail(ctx context.Context, tx Store, to, subject, body string) error {
	return tx.QueueMail(ctx, Mail{ID: c.opts.NewID(), To: to, Subject: subject, Body: body, CreatedAt: c.now()})
}

// RunMailer sends queued mail through Options.Mailer until ctx ends. Without
// a Mailer it returns at once: mail stays stored for the development
// mailbox (and Sweep deletes it after a week).
func (c *Core) RunMailer(ctx context.Context) error {
	if c.opts.Mailer == nil {
		<-ctx.Done()
		return nil
	}
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		if err := c.SendDueMail(ctx); err != nil && ctx.Err() == nil {
			c.log().WarnContext(ctx, "identity: mail delivery failed; will retry", "error", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-c.wake:
		case <-t.C:
		}
	}
}

// SendDueMail sends what is due now, once; RunMailer calls it in a loop.
func (c *Core) SendDueMail(ctx context.Context) error {
	if c.opts.Mailer == nil {
		return nil
	}
	due, err := c.store.DueMail(ctx, c.now(), c.now().Add(5*time.Minute), 50)
	if err != nil {
		return err
	}
	var firstErr error
	for _, m := range due {
		sendCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := c.opts.Mailer.Send(sendCtx, c.opts.MailFrom, m)
		cancel()
		if err == nil {
			err = c.store.MarkMailSent(ctx, m.ID, c.now())
		} else {
			if firstErr == nil {
				firstErr = err
			}
			// A fixed back-off is enough: the server is down, or the
			// address bad, and either way hammering it does not help.
			err = c.store.RetryMail(ctx, m.ID, c.now().Add(time.Minute), maxMailAttempts)
		}
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	return firstErr
}

// DevMail lists the newest mail of the outbox, sent or not: the
// development mailbox. Never route it in production: it holds live links.
func (c *Core) DevMail(ctx context.Context, limit int) ([]Mail, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	return c.store.RecentMail(ctx, limit)
}
