package notify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ErrPrivateTarget is a webhook URL that names, or resolves to, an address
// inside the network: loopback, private, link-local (cloud metadata at
// 169.254.169.254), unspecified or multicast.
var ErrPrivateTarget = errors.New("webhook target is a private, loopback or link-local address; an admin allows these with --webhook-allow-private")

// Targets says which hosts webhooks may reach. Whoever configures a channel
// chooses the URL the worker posts to, signed; without this check that
// would let them make the worker reach a metadata service or an internal
// admin console. Plain http to localhost stays allowed: it is how a local
// sink or a test peer listens, and http is refused for anything else.
type Targets struct {
	AllowPrivate bool
}

// plainLocalKey marks a request whose URL is plain http to localhost, so
// the dialer lets it reach loopback and nothing else.
type plainLocalKey struct{}

func internal(ip net.IP) bool {
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() || carrierNAT.Contains(ip)
}

var carrierNAT = &net.IPNet{IP: net.IPv4(100, 64, 0, 0), Mask: net.CIDRMask(10, 32)}

// allowed decides one resolved address at dial time.
func (t Targets) allowed(ip net.IP, plainLocal bool) error {
	switch {
	case plainLocal && ip.IsLoopback():
		return nil
	case plainLocal:
		return fmt.Errorf("plain http to %s: only loopback may be reached without TLS", ip)
	case t.AllowPrivate || !internal(ip):
		return nil
	}
	return fmt.Errorf("%w (%s)", ErrPrivateTarget, ip)
}

// checkHost refuses a https URL whose host is an internal address literal
// or localhost; names that resolve inward are caught when dialling.
func (t Targets) checkHost(u *url.URL) error {
	if t.AllowPrivate || u.Scheme != "https" {
		return nil
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return ErrPrivateTarget
	}
	if ip := net.ParseIP(host); ip != nil && internal(ip) {
		return ErrPrivateTarget
	}
	return nil
}

// Client is the HTTP client webhooks are posted with: it never follows a
// redirect (a redirect would carry the signed body to a host nobody
// configured) and checks every address it dials, after DNS resolution,
// so a name that later resolves inward (DNS rebinding) is refused too.
// It uses no proxy: a proxy would dial the target on our behalf, unchecked.
// One client per policy is shared, so connections are reused, not leaked.
func (t Targets) Client() *http.Client {
	if c, ok := clients.Load(t); ok {
		return c.(*http.Client)
	}
	c, _ := clients.LoadOrStore(t, t.newClient())
	return c.(*http.Client)
}

var clients sync.Map // Targets → *http.Client

func (t Targets) newClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		plainLocal, _ := ctx.Value(plainLocalKey{}).(bool)
		d := net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second,
			Control: func(_, address string, _ syscall.RawConn) error {
				host, _, err := net.SplitHostPort(address)
				if err != nil {
					return err
				}
				ip := net.ParseIP(host)
				if ip == nil {
					return fmt.Errorf("dial %s: not an IP address", address)
				}
				return t.allowed(ip, plainLocal)
			}}
		return d.DialContext(ctx, network, addr)
	}
	return &http.Client{Timeout: 15 * time.Second, Transport: tr, CheckRedirect: noRedirects}
}

func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
