package notify

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"regexp"
	"strings"
	"time"
)

// MessageID is the e-mail Message-ID for a delivery key: the same key
// always gives the same id, so a resend after a crash is a duplicate the
// receiving side can recognise.
func MessageID(key, domain string) string {
	if domain == "" {
		domain = "perfloop"
	}
	return "<" + safeID(key) + "@" + domain + ">"
}

var idChars = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

func safeID(key string) string {
	if idChars.MatchString(key) {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:16])
}

// BuildMail writes an RFC 5322 message: a multipart/alternative with the
// text and HTML bodies and, when an event carries one, the calendar object
// both inline (text/calendar; method=…, which mail clients turn into an
// invitation) and as an invite.ics attachment.
func BuildMail(from *mail.Address, m Message, c Content, date time.Time) ([]byte, error) {
	var buf bytes.Buffer
	domain := "perfloop"
	if _, d, ok := strings.Cut(from.Address, "@"); ok {
		domain = d
	}
	to := &mail.Address{Name: m.To.Name, Address: m.To.Email}
	h := textproto.MIMEHeader{}
	h.Set("From", from.String())
	h.Set("To", to.String())
	h.Set("Subject", mime.BEncoding.Encode("UTF-8", c.Subject))
	h.Set("Date", date.Format(time.RFC1123Z))
	h.Set("Message-ID", MessageID(m.Key, domain))
	h.Set("MIME-Version", "1.0")
	h.Set("Auto-Submitted", "auto-generated")
	if m.Resend {
		h.Set("X-Perfloop-Resend", "yes")
	}
	cal, method := "", ""
	for _, e := range m.Events {
		if e.Calendar != "" {
			cal, method = e.Calendar, strings.ToUpper(orDefault(e.CalendarMethod, "REQUEST"))
		}
	}
	outer := multipart.NewWriter(&buf)
	alt := outer
	if cal != "" {
		h.Set("Content-Type", "multipart/mixed; boundary="+outer.Boundary())
	} else {
		h.Set("Content-Type", "multipart/alternative; boundary="+outer.Boundary())
	}
	writeHeader(&buf, h)
	var altBuf bytes.Buffer
	if cal != "" {
		alt = multipart.NewWriter(&altBuf)
	}
	if err := qpPart(alt, "text/plain; charset=UTF-8", c.Text); err != nil {
		return nil, err
	}
	if err := qpPart(alt, "text/html; charset=UTF-8", c.HTML); err != nil {
		return nil, err
	}
	if cal != "" {
		if err := b64Part(alt, textproto.MIMEHeader{"Content-Type": {"text/calendar; charset=UTF-8; method=" + method}}, cal); err != nil {
			return nil, err
		}
		if err := alt.Close(); err != nil {
			return nil, err
		}
		w, err := outer.CreatePart(textproto.MIMEHeader{"Content-Type": {"multipart/alternative; boundary=" + alt.Boundary()}})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(altBuf.Bytes()); err != nil {
			return nil, err
		}
		att := textproto.MIMEHeader{
			"Content-Type":        {"text/calendar; charset=UTF-8; method=" + method + "; name=invite.ics"},
			"Content-Disposition": {"attachment; filename=invite.ics"},
		}
		if err := b64Part(outer, att, cal); err != nil {
			return nil, err
		}
	}
	if err := outer.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeHeader(buf *bytes.Buffer, h textproto.MIMEHeader) {
	for _, k := range []string{"From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Auto-Submitted", "X-Perfloop-Resend", "Content-Type"} {
		if v := h.Get(k); v != "" {
			fmt.Fprintf(buf, "%s: %s\r\n", k, v)
		}
	}
	buf.WriteString("\r\n")
}

func qpPart(w *multipart.Writer, ctype, body string) error {
	p, err := w.CreatePart(textproto.MIMEHeader{"Content-Type": {ctype}, "Content-Transfer-Encoding": {"quoted-printable"}})
	if err != nil {
		return err
	}
	q := quotedprintable.NewWriter(p)
	if _, err := q.Write([]byte(strings.ReplaceAll(body, "\n", "\r\n"))); err != nil {
		return err
	}
	return q.Close()
}

func b64Part(w *multipart.Writer, h textproto.MIMEHeader, body string) error {
	h.Set("Content-Transfer-Encoding", "base64")
	p, err := w.CreatePart(h)
	if err != nil {
		return err
	}
	enc := base64.StdEncoding.EncodeToString([]byte(body))
	for len(enc) > 76 {
		if _, err := p.Write([]byte(enc[:76] + "\r\n")); err != nil {
			return err
		}
		enc = enc[76:]
	}
	_, err = p.Write([]byte(enc + "\r\n"))
	return err
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
