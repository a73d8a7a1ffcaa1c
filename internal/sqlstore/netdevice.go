package sqlstore

import (
	"context"
	"database/sql"

	"github.com/handwash/handwash"
)

const networkColumns = `n.id, n.org_id, n.kind, n.name, n.model, n.location, n.default_password_changed, n.firmware, n.support_ends, n.updated_at`

func scanNetwork(r scanner) (*handwash.NetworkDevice, error) {
	var d handwash.NetworkDevice
	var changed sql.NullBool
	var ends sql.NullInt64
	var updated int64
	if err := r.Scan(&d.ID, &d.OrgID, &d.Kind, &d.Name, &d.Model, &d.Location, &changed, &d.Firmware, &ends, &updated); err != nil {
		return nil, err
	}
	d.DefaultPasswordChanged, d.SupportEnds, d.UpdatedAt = readBool(changed), optTime(ends), fromMicros(updated)
	return &d, nil
}

// PutNetworkDevice adds a device to the register, or updates one.
func (s *Store) PutNetworkDevice(ctx context.Context, scope handwash.Scope, d *handwash.NetworkDevice) error {
	if err := d.Validate(); err != nil {
		return err
	}
	d.UpdatedAt = s.nowOr(d.UpdatedAt)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.orgInScope(ctx, tx, scope, d.OrgID); err != nil {
			return err
		}
		if d.ID == "" {
			d.ID = handwash.NewID("net")
			_, err := tx.ExecContext(ctx, `INSERT INTO network_devices (id, provider_id, org_id, kind, name, model, location, default_password_changed, firmware, support_ends, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
				d.ID, scope.ProviderID, d.OrgID, d.Kind, d.Name, d.Model, d.Location, optBool(d.DefaultPasswordChanged), d.Firmware, optMicros(d.SupportEnds), micros(d.UpdatedAt))
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE network_devices SET kind = $3, name = $4, model = $5, location = $6, default_password_changed = $7,
			firmware = $8, support_ends = $9, updated_at = $10 WHERE id = $1 AND org_id = $2`,
			d.ID, d.OrgID, d.Kind, d.Name, d.Model, d.Location, optBool(d.DefaultPasswordChanged), d.Firmware, optMicros(d.SupportEnds), micros(d.UpdatedAt))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("network device", d.ID)
		}
		return nil
	})
	return s.dbErr("store a network device", err)
}

// NetworkDevices lists an organisation's register.
func (s *Store) NetworkDevices(ctx context.Context, scope handwash.Scope, orgID string) ([]*handwash.NetworkDevice, error) {
	if err := s.orgInScope(ctx, s.read, scope, orgID); err != nil {
		return nil, err
	}
	return list(ctx, s, "list network devices", scanNetwork,
		`SELECT `+networkColumns+` FROM network_devices n WHERE n.org_id = $1 ORDER BY n.kind, n.name, n.id`, orgID)
}

// DeleteNetworkDevice removes a device from the register.
func (s *Store) DeleteNetworkDevice(ctx context.Context, scope handwash.Scope, id string) error {
	var q query
	q.scoped(scope, "network_devices")
	q.where("id = ?", id)
	res, err := s.write.ExecContext(ctx, `DELETE FROM network_devices`+q.clause(), q.args...)
	if err != nil {
		return s.dbErr("remove a network device", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("network device", id)
	}
	return nil
}
