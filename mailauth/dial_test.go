package mailauth

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash/resolve/resolvetest"
)

// The policy host is found through the check's own resolver, so --resolver
// reaches it on a split-horizon network where the system's DNS would not.
func TestPolicyHostThroughTheResolver(t *testing.T) {
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("reached " + r.Host))
	}))
	defer web.Close()
	_, port, _ := net.SplitHostPort(web.Listener.Addr().String())
	dns := resolvetest.Start(t, "mta-sts.inside.test. 300 IN A 127.0.0.1\n")
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DialContext: dialVia(dns.Resolver(), &net.Dialer{Timeout: time.Second})}}

	res, err := client.Get("http://mta-sts.inside.test:" + port + "/")
	if err != nil {
		t.Fatalf("fetch through the test resolver: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("status %d", res.StatusCode)
	}
	// A name the resolver does not know is not looked up anywhere else.
	_, err = client.Get("http://mta-sts.outside.test:" + port + "/")
	if err == nil || !strings.Contains(err.Error(), "no address for mta-sts.outside.test") {
		t.Errorf("unknown host: err = %v; want it named", err)
	}
	// Addresses are dialled as they are.
	if c, err := dialVia(dns.Resolver(), &net.Dialer{})(context.Background(), "tcp", web.Listener.Addr().String()); err != nil {
		t.Errorf("dial an address: %v", err)
	} else {
		c.Close()
	}
}
