package dashboard

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/handwash/handwash"
)

type networkPage struct {
	Org      *handwash.Org
	Devices  []*handwash.NetworkDevice
	Findings []handwash.Finding
	Kinds    []string
	CanWrite bool
	Form     map[string]string
	Error    string
	// ErrorField is the id of the field the error is about.
	ErrorField string
}

// handleNetwork shows the register of routers, NAS boxes, printers and
// cameras, with its findings.
func (s *server) handleNetwork(w http.ResponseWriter, r *http.Request) {
	o, scope, ok := s.pathOrg(w, r)
	if !ok {
		return
	}
	p, err := s.networkPage(r, o, scope)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "network", "Network devices of "+o.Name, p)
}

func (s *server) networkPage(r *http.Request, o *handwash.Org, scope handwash.Scope) (networkPage, error) {
	ds, err := s.store.NetworkDevices(r.Context(), scope, o.ID)
	return networkPage{Org: o, Devices: ds, Findings: handwash.NetworkDeviceFindings(ds, s.now()), Kinds: handwash.NetworkKinds,
		CanWrite: visitorOf(r).principal().CanWrite(), Form: map[string]string{"kind": "router"}}, err
}

// networkFields are the add form's fields.
var networkFields = []string{"kind", "name", "model", "location", "password_changed", "firmware", "support_ends"}

// handleNetworkAdd adds a device to the register.
func (s *server) handleNetworkAdd(w http.ResponseWriter, r *http.Request) {
	o, scope, ok := s.pathOrg(w, r)
	if !ok {
		return
	}
	v := visitorOf(r)
	if !v.principal().CanWrite() {
		s.fail(w, r, errReadOnly)
		return
	}
	form := map[string]string{}
	for _, f := range networkFields {
		form[f] = strings.TrimSpace(r.PostFormValue(f))
	}
	d, field, err := networkDeviceFrom(form)
	if err == nil {
		d.OrgID = o.ID
		if err = s.store.PutNetworkDevice(r.Context(), scope, d); err != nil && handwash.ErrorCode(err) == handwash.EINVALID {
			field, _, _ = strings.Cut(handwash.ErrorMessage(err), ":")
		}
	}
	if err != nil {
		if handwash.ErrorCode(err) != handwash.EINVALID {
			s.fail(w, r, err)
			return
		}
		p, perr := s.networkPage(r, o, scope)
		if perr != nil {
			s.fail(w, r, perr)
			return
		}
		p.Form, p.Error, p.ErrorField = form, handwash.ErrorMessage(err), "net-"+field
		s.render(w, r, http.StatusBadRequest, "network", "Network devices of "+o.Name, p)
		return
	}
	s.auditAction(r, v, o.ID, "network_device.add", d.ID, fmt.Sprintf("added %s %q to the network register", d.Kind, d.Name))
	http.Redirect(w, r, "/orgs/"+url.PathEscape(o.ID)+"/network", http.StatusSeeOther)
}

// networkDeviceFrom reads the add form; on a problem it names the field.
func networkDeviceFrom(form map[string]string) (*handwash.NetworkDevice, string, error) {
	d := &handwash.NetworkDevice{Kind: form["kind"], Name: form["name"], Model: form["model"], Location: form["location"], Firmware: form["firmware"]}
	switch form["password_changed"] {
	case "yes":
		b := true
		d.DefaultPasswordChanged = &b
	case "no":
		b := false
		d.DefaultPasswordChanged = &b
	case "", "unknown":
	default:
		return nil, "password_changed", handwash.Errorf(handwash.EINVALID, "password_changed: choose yes, no or not known")
	}
	if form["support_ends"] != "" {
		t, err := time.Parse(time.DateOnly, form["support_ends"])
		if err != nil {
			return nil, "support_ends", handwash.Errorf(handwash.EINVALID, "support_ends: give the date support ends as a date, such as 2027-06-30")
		}
		d.SupportEnds = &t
	}
	return d, "", nil
}

// handleNetworkRemove removes a device from the register.
func (s *server) handleNetworkRemove(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	pr := v.principal()
	if !pr.CanWrite() {
		s.fail(w, r, errReadOnly)
		return
	}
	orgID := r.PathValue("org")
	if _, err := s.store.Org(r.Context(), pr.Scope, orgID); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.store.DeleteNetworkDevice(r.Context(), handwash.Scope{ProviderID: pr.ProviderID, OrgID: orgID}, r.PathValue("id")); err != nil {
		s.fail(w, r, err)
		return
	}
	s.auditAction(r, v, orgID, "network_device.remove", r.PathValue("id"), "removed a device from the network register")
	http.Redirect(w, r, "/orgs/"+url.PathEscape(orgID)+"/network", http.StatusSeeOther)
}
