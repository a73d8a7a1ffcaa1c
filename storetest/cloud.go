package storetest

import (
	"testing"
	"time"

	"github.com/handwash/handwash"
)

func yes() *bool { b := true; return &b }
func no() *bool  { b := false; return &b }

func testCloudAccounts(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	accounts := []handwash.CloudAccount{
		{Email: "Manager@Rose.example", Name: "Mo", Admin: true, MFA: no(), MFAMethods: []string{"none"}},
		{Email: "carer@rose.example", MFA: yes(), MFAMethods: []string{"microsoftAuthenticatorPush", "sms"}, SignInAllowed: yes()},
		{Email: "office@rose.example", Shared: true, SignInAllowed: yes()},
	}
	imp := &handwash.CloudImport{OrgID: w.orgA1.ID, Source: handwash.AccountsM365, ImportedAt: t0, ImportedBy: "usr_x"}
	must(t, s.ReplaceCloudAccounts(w.ctx, w.a1, imp, accounts))
	got, imports, err := s.CloudAccounts(w.ctx, w.a, w.orgA1.ID)
	must(t, err)
	if len(got) != 3 || len(imports) != 1 || imports[0].Accounts != 3 || !imports[0].ImportedAt.Equal(norm(t0)) {
		t.Fatalf("CloudAccounts = %+v, %+v", got, imports)
	}
	if m := got[1]; m.Email != "manager@rose.example" || !m.Admin || m.MFA == nil || *m.MFA || len(m.MFAMethods) != 1 {
		t.Errorf("manager = %+v", m)
	}
	if o := got[2]; !o.Shared || o.MFA != nil || o.SignInAllowed == nil || !*o.SignInAllowed {
		t.Errorf("shared mailbox = %+v", o)
	}
	// A new import replaces the old one whole; a bad one changes nothing.
	must(t, s.ReplaceCloudAccounts(w.ctx, w.a, &handwash.CloudImport{OrgID: w.orgA1.ID, Source: handwash.AccountsM365}, accounts[:1]))
	bad := []handwash.CloudAccount{{Email: "a@rose.example"}, {Email: "A@rose.example"}}
	err = s.ReplaceCloudAccounts(w.ctx, w.a, &handwash.CloudImport{OrgID: w.orgA1.ID, Source: handwash.AccountsM365}, bad)
	wantCode(t, "ReplaceCloudAccounts with an account twice", err, handwash.EINVALID)
	if got, _, _ := s.CloudAccounts(w.ctx, w.a, w.orgA1.ID); len(got) != 1 {
		t.Errorf("after a refused import: %d accounts, want the 1 of the import before", len(got))
	}
	// Google's accounts sit beside Microsoft's.
	must(t, s.ReplaceCloudAccounts(w.ctx, w.a, &handwash.CloudImport{OrgID: w.orgA1.ID, Source: handwash.AccountsGoogle}, accounts[1:2]))
	if got, imports, _ := s.CloudAccounts(w.ctx, w.a, w.orgA1.ID); len(got) != 2 || len(imports) != 2 {
		t.Errorf("two sources: %d accounts, %d imports", len(got), len(imports))
	}
	wantCode(t, "ReplaceCloudAccounts from another provider",
		s.ReplaceCloudAccounts(w.ctx, w.b, &handwash.CloudImport{OrgID: w.orgA1.ID, Source: handwash.AccountsM365}, nil), handwash.ENOTFOUND)
	wantCode(t, "ReplaceCloudAccounts with an unknown source",
		s.ReplaceCloudAccounts(w.ctx, w.a, &handwash.CloudImport{OrgID: w.orgA1.ID, Source: "okta"}, nil), handwash.EINVALID)
	_, _, err = s.CloudAccounts(w.ctx, w.a2, w.orgA1.ID)
	wantCode(t, "CloudAccounts from another organisation", err, handwash.ENOTFOUND)
}

func testMobileDevices(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	seen := t0.Add(-48 * time.Hour)
	intune := []handwash.MobileDevice{
		{ExternalID: "a1", Owner: "carer@rose.example", Model: "iPhone 12", OS: "ios", OSVersion: "17.5", Passcode: yes(), Managed: yes(), LastSeen: &seen},
		{ExternalID: "a2", Owner: "nurse@rose.example", Model: "Galaxy A52", OS: "android", OSVersion: "13"},
	}
	must(t, s.ReplaceMobileDevices(w.ctx, w.a1, w.orgA1.ID, handwash.MobileIntune, intune))
	hand := &handwash.MobileDevice{OrgID: w.orgA1.ID, Source: handwash.MobileByHand, Owner: "Mo", Model: "iPad 9", OS: "ipados", OSVersion: "16.7", Passcode: no()}
	must(t, s.PutMobileDevice(w.ctx, w.a1, hand))
	ds, err := s.MobileDevices(w.ctx, w.a, w.orgA1.ID)
	must(t, err)
	if len(ds) != 3 {
		t.Fatalf("MobileDevices = %d, want 3", len(ds))
	}
	// A new export replaces the MDM's devices and leaves the hand-made one.
	must(t, s.ReplaceMobileDevices(w.ctx, w.a, w.orgA1.ID, handwash.MobileIntune, intune[:1]))
	ds, _ = s.MobileDevices(w.ctx, w.a, w.orgA1.ID)
	if len(ds) != 2 {
		t.Errorf("after a smaller export: %d devices, want 2", len(ds))
	}
	var got *handwash.MobileDevice
	for _, d := range ds {
		if d.Source == handwash.MobileIntune {
			got = d
		}
	}
	if got == nil || got.ExternalID != "a1" || got.Passcode == nil || !*got.Passcode || got.Encrypted != nil || !got.LastSeen.Equal(norm(seen)) {
		t.Errorf("Intune device = %+v", got)
	}
	// Updating by hand; an MDM's device cannot be.
	hand.Passcode = yes()
	must(t, s.PutMobileDevice(w.ctx, w.a, hand))
	mdm := *got
	mdm.Source = handwash.MobileByHand
	wantCode(t, "PutMobileDevice over an MDM's device", s.PutMobileDevice(w.ctx, w.a, &mdm), handwash.ENOTFOUND)
	wantCode(t, "PutMobileDevice with an MDM source", s.PutMobileDevice(w.ctx, w.a, &handwash.MobileDevice{OrgID: w.orgA1.ID, Source: handwash.MobileJamf, OS: "ios"}), handwash.EINVALID)
	wantCode(t, "ReplaceMobileDevices by hand", s.ReplaceMobileDevices(w.ctx, w.a, w.orgA1.ID, handwash.MobileByHand, nil), handwash.EINVALID)
	// Other tenants see and change nothing.
	_, err = s.MobileDevices(w.ctx, w.a2, w.orgA1.ID)
	wantCode(t, "MobileDevices from another organisation", err, handwash.ENOTFOUND)
	wantCode(t, "DeleteMobileDevice from another provider", s.DeleteMobileDevice(w.ctx, w.b, hand.ID), handwash.ENOTFOUND)
	wantCode(t, "ReplaceMobileDevices from another provider", s.ReplaceMobileDevices(w.ctx, w.b, w.orgA1.ID, handwash.MobileIntune, nil), handwash.ENOTFOUND)
	must(t, s.DeleteMobileDevice(w.ctx, w.a1, hand.ID))
	if ds, _ := s.MobileDevices(w.ctx, w.a, w.orgA1.ID); len(ds) != 1 {
		t.Errorf("after removing: %d devices", len(ds))
	}
}

func testNetworkDevices(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	ends := t0.AddDate(1, 0, 0)
	router := &handwash.NetworkDevice{OrgID: w.orgA1.ID, Kind: "router", Name: " Office router ", Model: "TP-Link Archer C7", DefaultPasswordChanged: no(), SupportEnds: &ends}
	must(t, s.PutNetworkDevice(w.ctx, w.a1, router))
	nas := &handwash.NetworkDevice{OrgID: w.orgA1.ID, Kind: "nas", Name: "Files"}
	must(t, s.PutNetworkDevice(w.ctx, w.a, nas))
	ds, err := s.NetworkDevices(w.ctx, w.a, w.orgA1.ID)
	must(t, err)
	if len(ds) != 2 || ds[1].Name != "Office router" || ds[1].DefaultPasswordChanged == nil || *ds[1].DefaultPasswordChanged || !ds[1].SupportEnds.Equal(norm(ends)) {
		t.Fatalf("NetworkDevices = %+v", ds)
	}
	router.DefaultPasswordChanged = yes()
	must(t, s.PutNetworkDevice(w.ctx, w.a1, router))
	if ds, _ := s.NetworkDevices(w.ctx, w.a, w.orgA1.ID); ds[1].DefaultPasswordChanged == nil || !*ds[1].DefaultPasswordChanged {
		t.Errorf("after the update: %+v", ds[1])
	}
	wantCode(t, "PutNetworkDevice of an unknown kind", s.PutNetworkDevice(w.ctx, w.a, &handwash.NetworkDevice{OrgID: w.orgA1.ID, Kind: "toaster", Name: "x"}), handwash.EINVALID)
	wantCode(t, "PutNetworkDevice from another provider", s.PutNetworkDevice(w.ctx, w.b, &handwash.NetworkDevice{OrgID: w.orgA1.ID, Kind: "nas", Name: "x"}), handwash.ENOTFOUND)
	moved := *router
	moved.OrgID = w.orgA2.ID
	wantCode(t, "PutNetworkDevice moving a device to another organisation", s.PutNetworkDevice(w.ctx, w.a, &moved), handwash.ENOTFOUND)
	_, err = s.NetworkDevices(w.ctx, w.a2, w.orgA1.ID)
	wantCode(t, "NetworkDevices from another organisation", err, handwash.ENOTFOUND)
	wantCode(t, "DeleteNetworkDevice from another organisation", s.DeleteNetworkDevice(w.ctx, w.a2, nas.ID), handwash.ENOTFOUND)
	must(t, s.DeleteNetworkDevice(w.ctx, w.a1, nas.ID))
	if ds, _ := s.NetworkDevices(w.ctx, w.a, w.orgA1.ID); len(ds) != 1 {
		t.Errorf("after removing: %d", len(ds))
	}
}

func testSelfCheckedPhones(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	check := func(model string) *handwash.MobileDevice {
		return &handwash.MobileDevice{OrgID: w.orgA1.ID, Source: handwash.MobileSelfCheck, ExternalID: "phone-secret-1", Owner: "Ann",
			Model: model, OS: "android", OSVersion: "15", Passcode: yes(), AutoUpdates: no(), UnknownWiFi: yes()}
	}
	first := check("Pixel 8")
	must(t, s.PutMobileDevice(w.ctx, w.a1, first))
	// The same phone checked again is the same record.
	again := check("Pixel 8 Pro")
	again.AutoUpdates = yes()
	must(t, s.PutMobileDevice(w.ctx, w.a1, again))
	if again.ID != first.ID {
		t.Errorf("a second self-check of the same phone made a new record: %s then %s", first.ID, again.ID)
	}
	other := check("iPhone 15")
	other.ExternalID, other.OS = "phone-secret-2", "ios"
	must(t, s.PutMobileDevice(w.ctx, w.a1, other))
	ds, err := s.MobileDevices(w.ctx, w.a, w.orgA1.ID)
	must(t, err)
	if len(ds) != 2 {
		t.Fatalf("MobileDevices = %d, want 2", len(ds))
	}
	for _, d := range ds {
		if d.ID == first.ID && (d.Model != "Pixel 8 Pro" || d.AutoUpdates == nil || !*d.AutoUpdates || d.UnknownWiFi == nil || !*d.UnknownWiFi) {
			t.Errorf("self-checked phone = %+v", d)
		}
	}
	// The same phone's secret in another organisation is another phone.
	elsewhere := check("Pixel 8")
	elsewhere.OrgID = w.orgA2.ID
	must(t, s.PutMobileDevice(w.ctx, w.a, elsewhere))
	if elsewhere.ID == first.ID {
		t.Error("a self-check in another organisation updated this one's phone")
	}
}

func testStaffLinks(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	l, cred, err := handwash.NewStaffLink(w.a.ProviderID, w.orgA1.ID, "usr-1", handwash.DefaultStaffLinkLife, t0)
	must(t, err)
	must(t, s.PutStaffLink(w.ctx, w.a1, l))
	got, err := s.StaffLink(w.ctx, l.ID)
	must(t, err)
	id, secret, ok := handwash.ParseCredential(handwash.PrefixStaffLink, cred)
	if !ok || id != l.ID || !handwash.SecretMatches(secret, got.SecretHash) || got.OrgID != w.orgA1.ID || got.ProviderID != w.a.ProviderID ||
		!got.ExpiresAt.Equal(norm(t0.Add(handwash.DefaultStaffLinkLife))) || got.CreatedBy != "usr-1" {
		t.Fatalf("StaffLink = %+v", got)
	}
	// A new link replaces the old one.
	l2, _, err := handwash.NewStaffLink(w.a.ProviderID, w.orgA1.ID, "usr-1", handwash.MinStaffLinkLife, t0)
	must(t, err)
	must(t, s.PutStaffLink(w.ctx, w.a, l2))
	_, err = s.StaffLink(w.ctx, l.ID)
	wantCode(t, "StaffLink replaced", err, handwash.ENOTFOUND)
	if cur, err := s.OrgStaffLink(w.ctx, w.a1, w.orgA1.ID); err != nil || cur.ID != l2.ID {
		t.Errorf("OrgStaffLink = %+v, %v", cur, err)
	}
	// Other tenants see and change nothing.
	_, err = s.OrgStaffLink(w.ctx, w.a2, w.orgA1.ID)
	wantCode(t, "OrgStaffLink from another organisation", err, handwash.ENOTFOUND)
	l3, _, _ := handwash.NewStaffLink(w.b.ProviderID, w.orgA1.ID, "", handwash.MinStaffLinkLife, t0)
	wantCode(t, "PutStaffLink from another provider", s.PutStaffLink(w.ctx, w.b, l3), handwash.ENOTFOUND)
	wantCode(t, "DeleteStaffLink from another provider", s.DeleteStaffLink(w.ctx, w.b, w.orgA1.ID), handwash.ENOTFOUND)
	must(t, s.DeleteStaffLink(w.ctx, w.a1, w.orgA1.ID))
	_, err = s.StaffLink(w.ctx, l2.ID)
	wantCode(t, "StaffLink after stopping it", err, handwash.ENOTFOUND)
	wantCode(t, "DeleteStaffLink twice", s.DeleteStaffLink(w.ctx, w.a1, w.orgA1.ID), handwash.ENOTFOUND)
}
