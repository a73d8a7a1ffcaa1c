package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/handwash/handwash"
)

// maxImport bounds the rows one import may hold.
const maxImport = 50000

// optBool stores an optional yes or no as NULL, true or false.
func optBool(b *bool) any {
	if b == nil {
		return nil
	}
	return *b
}

// readBool reads an optional yes or no.
func readBool(v sql.NullBool) *bool {
	if !v.Valid {
		return nil
	}
	b := v.Bool
	return &b
}

// ReplaceCloudAccounts replaces an organisation's accounts from one source.
func (s *Store) ReplaceCloudAccounts(ctx context.Context, scope handwash.Scope, imp *handwash.CloudImport, accounts []handwash.CloudAccount) error {
	if imp.Source != handwash.AccountsM365 && imp.Source != handwash.AccountsGoogle {
		return invalid("account source %q is not known: use m365 or google", imp.Source)
	}
	if len(accounts) > maxImport {
		return invalid("the import has %d accounts: at most %d are kept", len(accounts), maxImport)
	}
	at := s.nowOr(imp.ImportedAt)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.orgInScope(ctx, tx, scope, imp.OrgID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM cloud_accounts WHERE org_id = $1 AND source = $2`, imp.OrgID, imp.Source); err != nil {
			return err
		}
		for _, a := range accounts {
			if a.Email == "" {
				return invalid("an account has no email address")
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO cloud_accounts (org_id, source, email, name, admin, mfa, mfa_methods, shared, sign_in_allowed, last_sign_in)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
				imp.OrgID, imp.Source, strings.ToLower(a.Email), a.Name, a.Admin, optBool(a.MFA), strings.Join(a.MFAMethods, ","), a.Shared,
				optBool(a.SignInAllowed), optMicros(a.LastSignIn)); err != nil {
				if s.d.IsUniqueViolation(err) {
					return invalid("the account %s is listed twice", a.Email)
				}
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO cloud_imports (org_id, source, imported_at, imported_by, accounts) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (org_id, source) DO UPDATE SET imported_at = excluded.imported_at, imported_by = excluded.imported_by, accounts = excluded.accounts`,
			imp.OrgID, imp.Source, micros(at), imp.ImportedBy, len(accounts))
		return err
	})
	if err != nil {
		return s.dbErr("import cloud accounts", err)
	}
	imp.ImportedAt, imp.Accounts = at, len(accounts)
	return nil
}

// CloudAccounts lists an organisation's accounts and imports.
func (s *Store) CloudAccounts(ctx context.Context, scope handwash.Scope, orgID string) ([]handwash.CloudAccount, []handwash.CloudImport, error) {
	if err := s.orgInScope(ctx, s.read, scope, orgID); err != nil {
		return nil, nil, err
	}
	accounts, err := list(ctx, s, "list cloud accounts", func(r scanner) (handwash.CloudAccount, error) {
		a := handwash.CloudAccount{OrgID: orgID}
		var mfa, signIn sql.NullBool
		var methods string
		var last sql.NullInt64
		err := r.Scan(&a.Source, &a.Email, &a.Name, &a.Admin, &mfa, &methods, &a.Shared, &signIn, &last)
		a.MFA, a.SignInAllowed, a.LastSignIn = readBool(mfa), readBool(signIn), optTime(last)
		if methods != "" {
			a.MFAMethods = strings.Split(methods, ",")
		}
		return a, err
	}, `SELECT source, email, name, admin, mfa, mfa_methods, shared, sign_in_allowed, last_sign_in FROM cloud_accounts
		WHERE org_id = $1 ORDER BY source, email`, orgID)
	if err != nil {
		return nil, nil, err
	}
	imports, err := list(ctx, s, "list cloud imports", func(r scanner) (handwash.CloudImport, error) {
		i := handwash.CloudImport{OrgID: orgID}
		var at int64
		err := r.Scan(&i.Source, &at, &i.ImportedBy, &i.Accounts)
		i.ImportedAt = fromMicros(at)
		return i, err
	}, `SELECT source, imported_at, imported_by, accounts FROM cloud_imports WHERE org_id = $1 ORDER BY source`, orgID)
	return accounts, imports, err
}

const mobileColumns = `m.id, m.org_id, m.source, m.external_id, m.owner, m.name, m.model, m.os, m.os_version, m.passcode, m.encrypted, m.managed, m.auto_updates, m.unknown_wifi, m.last_seen, m.updated_at`

func scanMobile(r scanner) (*handwash.MobileDevice, error) {
	var d handwash.MobileDevice
	var passcode, encrypted, managed, updates, wifi sql.NullBool
	var seen sql.NullInt64
	var updated int64
	if err := r.Scan(&d.ID, &d.OrgID, &d.Source, &d.ExternalID, &d.Owner, &d.Name, &d.Model, &d.OS, &d.OSVersion,
		&passcode, &encrypted, &managed, &updates, &wifi, &seen, &updated); err != nil {
		return nil, err
	}
	d.Passcode, d.Encrypted, d.Managed = readBool(passcode), readBool(encrypted), readBool(managed)
	d.AutoUpdates, d.UnknownWiFi = readBool(updates), readBool(wifi)
	d.LastSeen, d.UpdatedAt = optTime(seen), fromMicros(updated)
	return &d, nil
}

// insertMobile stores one device.
func insertMobile(ctx context.Context, tx *sql.Tx, providerID string, d *handwash.MobileDevice) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO mobile_devices (id, provider_id, org_id, source, external_id, owner, name, model, os, os_version,
		passcode, encrypted, managed, auto_updates, unknown_wifi, last_seen, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
		d.ID, providerID, d.OrgID, d.Source, d.ExternalID, d.Owner, d.Name, d.Model, d.OS, d.OSVersion,
		optBool(d.Passcode), optBool(d.Encrypted), optBool(d.Managed), optBool(d.AutoUpdates), optBool(d.UnknownWiFi),
		optMicros(d.LastSeen), micros(d.UpdatedAt))
	return err
}

// ReplaceMobileDevices replaces the organisation's devices from one MDM.
func (s *Store) ReplaceMobileDevices(ctx context.Context, scope handwash.Scope, orgID, source string, devices []handwash.MobileDevice) error {
	if !handwash.IsMDM(source) {
		return invalid("device source %q is not an MDM: use intune, google or jamf", source)
	}
	if len(devices) > maxImport {
		return invalid("the import has %d devices: at most %d are kept", len(devices), maxImport)
	}
	now := s.nowOr(time.Time{})
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.orgInScope(ctx, tx, scope, orgID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM mobile_devices WHERE org_id = $1 AND source = $2`, orgID, source); err != nil {
			return err
		}
		for i := range devices {
			d := devices[i]
			if d.OS == "" {
				return invalid("a device has no operating system")
			}
			d.ID, d.OrgID, d.Source, d.UpdatedAt = handwash.NewID("mob"), orgID, source, now
			if err := insertMobile(ctx, tx, scope.ProviderID, &d); err != nil {
				return err
			}
		}
		return nil
	})
	return s.dbErr("import phones and tablets", err)
}

// PutMobileDevice adds or updates a device entered by hand or self-check.
func (s *Store) PutMobileDevice(ctx context.Context, scope handwash.Scope, d *handwash.MobileDevice) error {
	if d.Source != handwash.MobileByHand && d.Source != handwash.MobileSelfCheck {
		return invalid("device source %q: only devices entered by hand or by self-check are added one by one", d.Source)
	}
	if d.OS == "" {
		return invalid("os: say which operating system the device runs")
	}
	d.UpdatedAt = s.nowOr(d.UpdatedAt)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.orgInScope(ctx, tx, scope, d.OrgID); err != nil {
			return err
		}
		if d.ID == "" && d.Source == handwash.MobileSelfCheck && d.ExternalID != "" {
			// The same phone checked again updates its record.
			err := tx.QueryRowContext(ctx, `SELECT id FROM mobile_devices WHERE org_id = $1 AND source = $2 AND external_id = $3`,
				d.OrgID, d.Source, d.ExternalID).Scan(&d.ID)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		if d.ID == "" {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM mobile_devices WHERE org_id = $1`, d.OrgID).Scan(&n); err != nil {
				return err
			}
			if n >= maxImport {
				return invalid("the organisation already has %d phones and tablets, the most Handwash keeps: remove some first", n)
			}
			d.ID = handwash.NewID("mob")
			return insertMobile(ctx, tx, scope.ProviderID, d)
		}
		res, err := tx.ExecContext(ctx, `UPDATE mobile_devices SET owner = $3, name = $4, model = $5, os = $6, os_version = $7, passcode = $8,
			encrypted = $9, managed = $10, auto_updates = $11, unknown_wifi = $12, last_seen = $13, updated_at = $14, source = $15, external_id = $16
			WHERE id = $1 AND org_id = $2 AND source IN ('manual', 'selfcheck')`,
			d.ID, d.OrgID, d.Owner, d.Name, d.Model, d.OS, d.OSVersion, optBool(d.Passcode), optBool(d.Encrypted), optBool(d.Managed),
			optBool(d.AutoUpdates), optBool(d.UnknownWiFi), optMicros(d.LastSeen), micros(d.UpdatedAt), d.Source, d.ExternalID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("phone or tablet", d.ID)
		}
		return nil
	})
	return s.dbErr("store a phone or tablet", err)
}

// DeleteMobileDevice removes a device.
func (s *Store) DeleteMobileDevice(ctx context.Context, scope handwash.Scope, id string) error {
	var q query
	q.scoped(scope, "mobile_devices")
	q.where("id = ?", id)
	res, err := s.write.ExecContext(ctx, `DELETE FROM mobile_devices`+q.clause(), q.args...)
	if err != nil {
		return s.dbErr("remove a phone or tablet", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("phone or tablet", id)
	}
	return nil
}

// MobileDevices lists an organisation's phones and tablets.
func (s *Store) MobileDevices(ctx context.Context, scope handwash.Scope, orgID string) ([]*handwash.MobileDevice, error) {
	var q query
	q.scoped(scope, "m")
	q.where("m.org_id = ?", orgID)
	ds, err := list(ctx, s, "list phones and tablets", scanMobile,
		`SELECT `+mobileColumns+` FROM mobile_devices m`+q.clause()+` ORDER BY m.owner, m.model, m.id`, q.args...)
	if err == nil && len(ds) == 0 {
		// An organisation out of scope is "not found", as elsewhere.
		if err := s.orgInScope(ctx, s.read, scope, orgID); err != nil {
			return nil, err
		}
	}
	return ds, err
}
