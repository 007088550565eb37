package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// SMTP sends e-mail through one relay.
type SMTP struct {
	Addr     string // host:port
	From     string // "Perfloop <perfloop@example.com>"
	User     string // AUTH PLAIN when set
	Password string // a secret reference (env:NAME or file:/path), never the password
	StartTLS bool   // upgrade with STARTTLS before AUTH; refused if the server cannot
	// TLS overrides the STARTTLS client configuration (tests trust their own CA).
	TLS     *tls.Config
	Timeout time.Duration
	Now     func() time.Time
}

// Configured says whether an SMTP relay is set.
func (s *SMTP) Configured() bool { return s != nil && s.Addr != "" }

// Check reports a configuration that cannot work, before the first send.
func (s *SMTP) Check() error {
	if _, _, err := net.SplitHostPort(s.Addr); err != nil {
		return fmt.Errorf("--smtp %q: expected host:port, such as 127.0.0.1:1025", s.Addr)
	}
	if _, err := mail.ParseAddress(s.From); err != nil {
		return fmt.Errorf("--smtp-from %q: expected an address such as \"Perfloop <perfloop@example.com>\"", s.From)
	}
	if s.User != "" && s.Password == "" {
		return fmt.Errorf("--smtp-user %q needs --smtp-password-file", s.User)
	}
	if s.Password != "" {
		if msg := checkSecretRef(s.Password); msg != "" {
			return fmt.Errorf("SMTP password reference %q: %s", mask(s.Password), msg)
		}
	}
	return nil
}

// Send renders and delivers one message. A 5xx reply (an unknown mailbox,
// a refused sender, bad credentials) is permanent; a 4xx reply or a
// network failure is worth retrying.
func (s *SMTP) Send(ctx context.Context, m Message, from string) error {
	if from == "" {
		from = s.From
	}
	sender, err := mail.ParseAddress(from)
	if err != nil {
		return permanent("sender %q is not an address", from)
	}
	if _, err := mail.ParseAddress(m.To.Email); err != nil || m.To.Email == "" {
		return permanent("recipient %s has no valid e-mail address (%q)", m.To.ID, m.To.Email)
	}
	c, err := Render(m)
	if err != nil {
		return permanent("render: %v", err)
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	raw, err := BuildMail(sender, m, c, now())
	if err != nil {
		return permanent("build message: %v", err)
	}
	return s.deliver(ctx, sender.Address, m.To.Email, raw)
}

func (s *SMTP) deliver(ctx context.Context, from, to string, raw []byte) error {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("smtp dial %s: %w", s.Addr, err)
	}
	deadline := time.Now().Add(timeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	_ = conn.SetDeadline(deadline)
	host, _, _ := net.SplitHostPort(s.Addr)
	var c *smtp.Client
	if s.StartTLS {
		cfg := s.TLS
		if cfg == nil {
			cfg = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
		}
		// Credentials never cross an unencrypted connection: no STARTTLS
		// offered is a configuration error, not a reason to fall back.
		if c, err = smtp.NewClientStartTLS(conn, cfg); err != nil {
			conn.Close()
			if strings.Contains(err.Error(), "STARTTLS") {
				return permanent("smtp %s: %v", s.Addr, err)
			}
			return classify("starttls", err)
		}
	} else {
		c = smtp.NewClient(conn)
	}
	defer c.Close()
	if s.User != "" {
		pw, err := ResolveSecret(s.Password)
		if err != nil {
			return err
		}
		if err := c.Auth(sasl.NewPlainClient("", s.User, pw)); err != nil {
			return classify("auth", err)
		}
	}
	if err := c.SendMail(from, []string{to}, bytes.NewReader(raw)); err != nil {
		return classify("send", err)
	}
	return c.Quit()
}

func classify(step string, err error) error {
	var se *smtp.SMTPError
	if errors.As(err, &se) && se.Code >= 500 {
		return permanent("smtp %s: %d %s", step, se.Code, se.Message)
	}
	return fmt.Errorf("smtp %s: %w", step, err)
}
