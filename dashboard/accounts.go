package dashboard

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/cloudimport"
	"github.com/handwash/handwash/mdmimport"
)

// maxExport bounds an uploaded CSV export.
const maxExport = 20 << 20

type accountsPage struct {
	Org      *handwash.Org
	Findings []handwash.Finding
	Accounts []handwash.CloudAccount
	Imports  []handwash.CloudImport
	CanWrite bool
	Error    string
	Done     bool
}

// handleAccounts shows an organisation's cloud accounts with what their
// two-step verification means for Cyber Essentials.
func (s *server) handleAccounts(w http.ResponseWriter, r *http.Request) {
	o, scope, ok := s.pathOrg(w, r)
	if !ok {
		return
	}
	p, err := s.accountsPage(r, o, scope)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Done = r.URL.Query().Get("done") == "imported"
	s.render(w, r, http.StatusOK, "accounts", "Cloud accounts of "+o.Name, p)
}

func (s *server) accountsPage(r *http.Request, o *handwash.Org, scope handwash.Scope) (accountsPage, error) {
	accounts, imports, err := s.store.CloudAccounts(r.Context(), scope, o.ID)
	if err != nil {
		return accountsPage{}, err
	}
	// The most urgent first: administrators without two-step verification.
	slices.SortStableFunc(accounts, func(a, b handwash.CloudAccount) int { return accountRank(a) - accountRank(b) })
	return accountsPage{Org: o, Accounts: accounts, Imports: imports, CanWrite: visitorOf(r).principal().CanWrite(),
		Findings: cloudimport.Findings(accounts, imports, s.now())}, nil
}

// accountRank orders accounts: administrators without MFA, then users
// without, then those not known, then the rest.
func accountRank(a handwash.CloudAccount) int {
	switch {
	case a.MFA != nil && !*a.MFA && a.Admin:
		return 0
	case a.MFA != nil && !*a.MFA:
		return 1
	case a.MFA == nil:
		return 2
	}
	return 3
}

// handleAccountsImport replaces the organisation's accounts of one source
// with an uploaded export, all or nothing.
func (s *server) handleAccountsImport(w http.ResponseWriter, r *http.Request) {
	o, scope, ok := s.pathOrg(w, r)
	if !ok {
		return
	}
	v := visitorOf(r)
	if !v.principal().CanWrite() {
		s.fail(w, r, errReadOnly)
		return
	}
	raw, err := uploadedCSV(r)
	var source string
	var accounts []handwash.CloudAccount
	if err == nil {
		source, accounts, err = cloudimport.Parse(bytes.NewReader(raw), o.ID)
	}
	imp := &handwash.CloudImport{OrgID: o.ID, Source: source, ImportedBy: v.user.ID}
	if err == nil {
		err = s.store.ReplaceCloudAccounts(r.Context(), scope, imp, accounts)
	}
	if err != nil {
		if handwash.ErrorCode(err) != handwash.EINVALID && handwash.ErrorCode(err) != handwash.ETOOLARGE {
			s.fail(w, r, err)
			return
		}
		p, perr := s.accountsPage(r, o, scope)
		if perr != nil {
			s.fail(w, r, perr)
			return
		}
		p.Error = "Export file: " + handwash.ErrorMessage(err)
		s.render(w, r, http.StatusBadRequest, "accounts", "Cloud accounts of "+o.Name, p)
		return
	}
	s.auditAction(r, v, o.ID, "cloud_accounts.import", o.ID, fmt.Sprintf("imported %d %s accounts", len(accounts), source))
	http.Redirect(w, r, "/orgs/"+url.PathEscape(o.ID)+"/accounts?done=imported", http.StatusSeeOther)
}

// uploadedCSV reads the export file of an upload form.
func uploadedCSV(r *http.Request) ([]byte, error) {
	f, hdr, err := r.FormFile("export")
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, handwash.Errorf(handwash.ETOOLARGE, "the file is larger than the %d MB Handwash reads", maxExport>>20)
		}
		return nil, handwash.Errorf(handwash.EINVALID, "choose the CSV file to upload")
	}
	defer f.Close()
	if hdr.Size > maxExport {
		return nil, handwash.Errorf(handwash.ETOOLARGE, "the file is larger than the %d MB Handwash reads", maxExport>>20)
	}
	return io.ReadAll(io.LimitReader(f, maxExport+1))
}

type phonesPage struct {
	Org      *handwash.Org
	Findings []handwash.Finding
	Devices  []*handwash.MobileDevice
	CanWrite bool
	Form     map[string]string
	Error    string
	// ErrorField is the form field the error is about, "export" for the
	// upload.
	ErrorField string
	Done       string
}

// handlePhones shows an organisation's phones and tablets with their
// findings.
func (s *server) handlePhones(w http.ResponseWriter, r *http.Request) {
	o, scope, ok := s.pathOrg(w, r)
	if !ok {
		return
	}
	p, err := s.phonesPage(r, o, scope)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	switch r.URL.Query().Get("done") {
	case "imported":
		p.Done = "The export was imported: it replaces that MDM's devices. Devices entered by hand stay."
	case "added":
		p.Done = "The device was added."
	case "removed":
		p.Done = "The device was removed."
	}
	s.render(w, r, http.StatusOK, "phones", "Phones and tablets of "+o.Name, p)
}

func (s *server) phonesPage(r *http.Request, o *handwash.Org, scope handwash.Scope) (phonesPage, error) {
	ds, err := s.store.MobileDevices(r.Context(), scope, o.ID)
	if err != nil {
		return phonesPage{}, err
	}
	return phonesPage{Org: o, Devices: ds, CanWrite: visitorOf(r).principal().CanWrite(), Form: map[string]string{},
		Findings: mdmimport.Findings(ds, s.mobileSupport, s.now())}, nil
}

// handlePhonesImport replaces the devices of one MDM with its export.
func (s *server) handlePhonesImport(w http.ResponseWriter, r *http.Request) {
	o, scope, ok := s.pathOrg(w, r)
	if !ok {
		return
	}
	v := visitorOf(r)
	if !v.principal().CanWrite() {
		s.fail(w, r, errReadOnly)
		return
	}
	raw, err := uploadedCSV(r)
	var source string
	var devices []handwash.MobileDevice
	if err == nil {
		source, devices, err = mdmimport.Parse(bytes.NewReader(raw), o.ID)
	}
	if err == nil {
		err = s.store.ReplaceMobileDevices(r.Context(), scope, o.ID, source, devices)
	}
	if err != nil {
		s.phonesFormError(w, r, o, scope, err, "export", nil)
		return
	}
	s.auditAction(r, v, o.ID, "mobile_devices.import", o.ID, fmt.Sprintf("imported %d phones and tablets from %s", len(devices), source))
	http.Redirect(w, r, "/orgs/"+url.PathEscape(o.ID)+"/phones?done=imported", http.StatusSeeOther)
}

// phoneFields are the fields of the form that adds a device by hand.
var phoneFields = []string{"owner", "model", "os", "os_version", "passcode", "encrypted", "managed", "last_seen"}

// handlePhoneAdd adds a phone or tablet entered by hand.
func (s *server) handlePhoneAdd(w http.ResponseWriter, r *http.Request) {
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
	for _, f := range phoneFields {
		form[f] = strings.TrimSpace(r.PostFormValue(f))
	}
	d, err := mdmimport.ParseByHand(form)
	if err == nil {
		d.OrgID, d.Source = o.ID, handwash.MobileByHand
		err = s.store.PutMobileDevice(r.Context(), scope, &d)
	}
	if err != nil {
		s.phonesFormError(w, r, o, scope, err, "phone-"+fieldNamed(err, phoneFields, "owner"), form)
		return
	}
	s.auditAction(r, v, o.ID, "mobile_device.add", d.ID, fmt.Sprintf("added %s's %s by hand", d.Owner, d.Model))
	http.Redirect(w, r, "/orgs/"+url.PathEscape(o.ID)+"/phones?done=added", http.StatusSeeOther)
}

// phonesFormError answers a form with a problem: 400 and the page with
// the problem named, or the error page for anything else.
func (s *server) phonesFormError(w http.ResponseWriter, r *http.Request, o *handwash.Org, scope handwash.Scope, err error, field string, form map[string]string) {
	s.formProblem(w, r, err, "phones", "Phones and tablets of "+o.Name, func() (any, error) {
		p, perr := s.phonesPage(r, o, scope)
		p.ErrorField = field
		if field == "export" {
			p.Error = "Export file: " + handwash.ErrorMessage(err)
		} else {
			p.Error, p.Form = handwash.ErrorMessage(err), form
		}
		return p, perr
	})
}

// handlePhoneRemove removes a device entered by hand or by self-check (an
// MDM's go with its next export).
func (s *server) handlePhoneRemove(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	pr := v.principal()
	if !pr.CanWrite() {
		s.fail(w, r, errReadOnly)
		return
	}
	orgID, id := r.PathValue("org"), r.PathValue("id")
	ds, err := s.store.MobileDevices(r.Context(), pr.Scope, orgID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	i := slices.IndexFunc(ds, func(d *handwash.MobileDevice) bool { return d.ID == id })
	if i < 0 || (ds[i].Source != handwash.MobileByHand && ds[i].Source != handwash.MobileSelfCheck) {
		s.fail(w, r, handwash.Errorf(handwash.ENOTFOUND, "No device entered by hand has this ID. Devices from an MDM go when the next export no longer lists them."))
		return
	}
	if err := s.store.DeleteMobileDevice(r.Context(), pr.Scope, id); err != nil {
		s.fail(w, r, err)
		return
	}
	s.auditAction(r, v, orgID, "mobile_device.remove", id, fmt.Sprintf("removed %s's %s", ds[i].Owner, ds[i].Model))
	http.Redirect(w, r, "/orgs/"+url.PathEscape(orgID)+"/phones?done=removed", http.StatusSeeOther)
}

// mobileSupport asks the end-of-life data about a phone's OS, or says it
// cannot.
func (s *server) mobileSupport(os, version string) (*bool, bool, string) {
	if s.support == nil {
		return nil, false, "the server has no end-of-life data"
	}
	return s.support(os, version)
}

// yesNo says an optional yes or no in words.
func yesNo(b *bool) string {
	switch {
	case b == nil:
		return "not known"
	case *b:
		return "yes"
	}
	return "no"
}
