package sqlstore

import (
	"compress/gzip"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/handwash/handwash"
)

const deviceColumns = `d.id, d.provider_id, d.org_id, d.site_id, d.hostname, d.platform, d.os, d.secret_hash,
	d.enrolled_at, d.last_seen_at, d.last_snapshot_id, d.facts_digest, d.score, d.evaluated_at`

// deviceByID reads one device by its ID, for DeviceForAuth.
const deviceByID = `SELECT ` + deviceColumns + ` FROM devices d WHERE d.id = $1`

// deviceReturning is deviceColumns for RETURNING, where SQLite accepts no
// table alias.
var deviceReturning = strings.ReplaceAll(deviceColumns, "d.", "")

func scanDevice(r scanner) (*handwash.Device, error) {
	var d handwash.Device
	var site sql.NullString
	var enrolled int64
	var seen, evaluated sql.NullInt64
	if err := r.Scan(&d.ID, &d.ProviderID, &d.OrgID, &site, &d.Hostname, &d.Platform, &d.OS, &d.SecretHash,
		&enrolled, &seen, &d.LastSnapshotID, &d.FactsDigest, &d.Score, &evaluated); err != nil {
		return nil, err
	}
	d.SiteID, d.EnrolledAt = site.String, fromMicros(enrolled)
	d.LastSeenAt, d.EvaluatedAt = optTime(seen), optTime(evaluated)
	return &d, nil
}

// seenExpr is when a device was last heard from, as Device.Stale counts it.
const seenExpr = `COALESCE(d.last_seen_at, d.enrolled_at)`

// Devices lists the devices in scope that pass the filter, newest enrolment
// first, and how many pass it in all.
func (s *Store) Devices(ctx context.Context, scope handwash.Scope, f handwash.DeviceFilter) ([]*handwash.Device, int, error) {
	var q query
	q.scoped(scope, "d")
	if f.OrgID != "" {
		q.where("d.org_id = ?", f.OrgID)
	}
	if f.SiteID != "" {
		q.where("d.site_id = ?", f.SiteID)
	}
	if f.Platform != "" {
		q.where("d.platform = ?", string(f.Platform))
	}
	if f.StaleBefore != nil {
		q.where(seenExpr+" < ?", micros(*f.StaleBefore))
	}
	var total int
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM devices d`+q.clause(), q.args...).Scan(&total); err != nil {
		return nil, 0, s.dbErr("count devices", err)
	}
	stmt := `SELECT ` + deviceColumns + ` FROM devices d` + q.clause() + ` ORDER BY d.enrolled_at DESC, d.id`
	stmt += q.page(f.Offset, f.Limit)
	rows, err := s.read.QueryContext(ctx, stmt, q.args...)
	if err != nil {
		return nil, 0, s.dbErr("list devices", err)
	}
	ds, err := scanAll(s, rows, "list devices", scanDevice)
	return ds, total, err
}

// Device returns one device in scope.
func (s *Store) Device(ctx context.Context, scope handwash.Scope, id string) (*handwash.Device, error) {
	return s.device(ctx, s.read, scope, id)
}

func (s *Store) device(ctx context.Context, db querier, scope handwash.Scope, id string) (*handwash.Device, error) {
	var q query
	q.where("d.id = ?", id)
	q.scoped(scope, "d")
	d, err := scanDevice(db.QueryRowContext(ctx, `SELECT `+deviceColumns+` FROM devices d`+q.clause(), q.args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("device", id)
	}
	return d, s.dbErr("find device", err)
}

// DeviceForAuth returns any device by ID, for authenticating uploads.
func (s *Store) DeviceForAuth(ctx context.Context, id string) (*handwash.Device, error) {
	// Every request a device makes asks this, so the query is prepared
	// once rather than parsed each time.
	st, err := s.preparedOn(ctx, s.read, deviceByID)
	if err != nil {
		return nil, err
	}
	d, err := scanDevice(st.QueryRowContext(ctx, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("device", id)
	}
	return d, s.dbErr("find device", err)
}

// DeleteDevice removes a device in scope with its snapshots, Facts,
// assessment, findings, score history and exceptions.
func (s *Store) DeleteDevice(ctx context.Context, scope handwash.Scope, id string) error {
	var q query
	q.where("id = ?", id)
	q.scoped(scope, "devices")
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var orgID, providerID, hostname string
		err := tx.QueryRowContext(ctx, `SELECT org_id, provider_id, hostname FROM devices`+q.clause(), q.args...).Scan(&orgID, &providerID, &hostname)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("device", id)
		}
		if err != nil {
			return err
		}
		if err := removeFromOrgTotals(ctx, tx, orgID, id); err != nil {
			return err
		}
		if err := removeFromAlerts(ctx, tx, device{providerID, orgID, id, hostname}, micros(s.nowOr(time.Time{}))); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM devices WHERE id = $1`, id); err != nil {
			return err
		}
		return recordOrgDay(ctx, tx, orgID, s.nowOr(time.Time{}))
	})
	if handwash.ErrorCode(err) == handwash.ENOTFOUND {
		return err
	}
	return s.dbErr("delete device", err)
}

// CountDevices counts every device, and those not heard from since
// staleBefore.
func (s *Store) CountDevices(ctx context.Context, staleBefore time.Time) (total, stale int, err error) {
	err = s.read.QueryRowContext(ctx,
		`SELECT COUNT(*), COALESCE(SUM(CASE WHEN `+seenExpr+` < $1 THEN 1 ELSE 0 END), 0) FROM devices d`,
		micros(staleBefore)).Scan(&total, &stale)
	return total, stale, s.dbErr("count devices", err)
}

// PutSnapshot stores a snapshot, in one short transaction: it moves the
// device forward, adds the snapshot row, and adds the Facts only when this
// device has no blob with that digest yet. An unchanged snapshot therefore
// costs one UPDATE and one small INSERT.
//
// The device's hostname, platform, OS and digest follow the newest snapshot
// by collection time, so a spooled snapshot that arrives late does not make
// the device look older than it is.
func (s *Store) PutSnapshot(ctx context.Context, d *handwash.Device, sn *handwash.Snapshot, facts []byte) (bool, error) {
	if sn.ID == "" {
		return false, invalid("snapshot ID is empty")
	}
	if len(sn.ID) > 128 {
		return false, invalid("snapshot ID is %d characters long, over 128", len(sn.ID))
	}
	if sn.Digest == "" {
		return false, invalid("snapshot digest is empty")
	}
	if sn.CollectedAt.IsZero() {
		return false, invalid("snapshot collected_at is empty")
	}
	sn.DeviceID = d.ID
	sn.CollectedAt, sn.ReceivedAt = norm(sn.CollectedAt), s.nowOr(sn.ReceivedAt)
	update, insert, err := s.snapshotStatements(ctx)
	if err != nil {
		return false, err
	}
	var device *handwash.Device
	err = s.inWriteTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var err error
		device, err = s.putSnapshot(ctx, tx, update, insert, d, sn, facts)
		return err
	})
	if errors.Is(err, errRetry) {
		return false, nil
	}
	if err != nil {
		return false, s.dbErr("store snapshot", err)
	}
	*d = *device
	return true, nil
}

// snapshotStatements prepares putSnapshot's statements, before the
// transaction that uses them begins.
func (s *Store) snapshotStatements(ctx context.Context) (update, insert *sql.Stmt, err error) {
	if update, err = s.prepared(ctx, snapshotUpdate); err != nil {
		return nil, nil, err
	}
	if insert, err = s.prepared(ctx, snapshotInsert); err != nil {
		return nil, nil, err
	}
	return update, insert, nil
}

// putSnapshot does PutSnapshot's work in tx, with the statements from
// snapshotStatements, and returns the device as it now is. It returns
// errRetry, after which tx must be rolled back, for a snapshot already
// stored with the same digest.
func (s *Store) putSnapshot(ctx context.Context, tx *sql.Tx, update, insert *sql.Stmt, d *handwash.Device, sn *handwash.Snapshot, facts []byte) (*handwash.Device, error) {
	device, err := scanDevice(tx.StmtContext(ctx, update).QueryRowContext(ctx,
		sn.Digest, micros(sn.ReceivedAt), micros(sn.CollectedAt), sn.ID, facts != nil,
		d.Hostname, string(d.Platform), d.OS, d.ID))
	if errors.Is(err, sql.ErrNoRows) {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM devices WHERE id = $1`, d.ID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, notFound("device", d.ID)
		}
		if err != nil {
			return nil, err
		}
		return nil, invalid("snapshot %q has new Facts (digest %s) but none were sent", sn.ID, sn.Digest)
	}
	if err != nil {
		return nil, err
	}
	res, err := tx.StmtContext(ctx, insert).ExecContext(ctx, d.ID, sn.ID, micros(sn.CollectedAt), micros(sn.ReceivedAt), sn.Digest, sn.Size)
	if err != nil {
		return nil, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return nil, err
	} else if n == 0 {
		var digest string
		if err := tx.QueryRowContext(ctx, `SELECT digest FROM snapshots WHERE device_id = $1 AND id = $2`, d.ID, sn.ID).Scan(&digest); err != nil {
			return nil, err
		}
		if digest != sn.Digest {
			return nil, handwash.Errorf(handwash.ECONFLICT, "snapshot ID %q was already used for other Facts: send new Facts with a new snapshot ID", sn.ID)
		}
		return nil, errRetry
	}
	if facts != nil {
		_, err = tx.ExecContext(ctx, `INSERT INTO facts (device_id, digest, data, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (device_id, digest) DO NOTHING`, d.ID, sn.Digest, facts, micros(sn.ReceivedAt))
		if err != nil {
			return nil, err
		}
	}
	return device, nil
}

// snapshotUpdate moves a device forward for a snapshot: $1 digest, $2
// received, $3 collected, $4 snapshot ID, $5 whether Facts came with it,
// $6-8 hostname, platform and OS, $9 device ID. The device's hostname,
// platform, OS and digest move only for a snapshot collected no earlier
// than the newest. It changes no row, and so refuses the upload, when the
// digest is new to the device and no Facts came.
var snapshotUpdate = strings.ReplaceAll(`UPDATE devices AS d SET
	last_seen_at = CASE WHEN d.last_seen_at IS NULL OR d.last_seen_at < $2 THEN $2 ELSE d.last_seen_at END,
	last_collected_at = CASE WHEN NEWER THEN $3 ELSE d.last_collected_at END,
	last_snapshot_id = CASE WHEN NEWER THEN $4 ELSE d.last_snapshot_id END,
	hostname = CASE WHEN NEWER THEN $6 ELSE d.hostname END,
	platform = CASE WHEN NEWER THEN $7 ELSE d.platform END,
	os = CASE WHEN NEWER THEN $8 ELSE d.os END,
	eval_pending = CASE WHEN NEWER AND d.facts_digest <> $1 THEN TRUE ELSE d.eval_pending END,
	eval_seq = CASE WHEN NEWER AND d.facts_digest <> $1 THEN d.eval_seq + 1 ELSE d.eval_seq END,
	eval_queued_at = CASE WHEN NEWER AND d.facts_digest <> $1 AND NOT d.eval_pending THEN $2 ELSE d.eval_queued_at END,
	facts_digest = CASE WHEN NEWER THEN $1 ELSE d.facts_digest END
	WHERE d.id = $9 AND ($5 OR d.facts_digest = $1 OR EXISTS (SELECT 1 FROM facts f WHERE f.device_id = $9 AND f.digest = $1))
	RETURNING `+deviceReturning,
	// NEWER: the snapshot is no older than the newest.
	"NEWER", `(d.last_collected_at IS NULL OR d.last_collected_at <= $3)`)

const snapshotInsert = `INSERT INTO snapshots (device_id, id, collected_at, received_at, digest, size)
	VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (device_id, id) DO NOTHING`

// errRetry rolls back the transaction of a snapshot already stored.
var errRetry = errors.New("snapshot already stored")

// Snapshots lists a device's snapshots, newest received first.
func (s *Store) Snapshots(ctx context.Context, scope handwash.Scope, deviceID string, limit int) ([]*handwash.Snapshot, error) {
	if _, err := s.device(ctx, s.read, scope, deviceID); err != nil {
		return nil, err
	}
	var q query
	q.where("device_id = ?", deviceID)
	stmt := `SELECT device_id, id, collected_at, received_at, digest, size FROM snapshots` + q.clause() +
		` ORDER BY received_at DESC, collected_at DESC, id` + q.page(0, limit)
	rows, err := s.read.QueryContext(ctx, stmt, q.args...)
	if err != nil {
		return nil, s.dbErr("list snapshots", err)
	}
	defer rows.Close()
	var ss []*handwash.Snapshot
	for rows.Next() {
		var sn handwash.Snapshot
		var collected, received int64
		if err := rows.Scan(&sn.DeviceID, &sn.ID, &collected, &received, &sn.Digest, &sn.Size); err != nil {
			return nil, s.dbErr("list snapshots", err)
		}
		sn.CollectedAt, sn.ReceivedAt = fromMicros(collected), fromMicros(received)
		ss = append(ss, &sn)
	}
	return ss, s.dbErr("list snapshots", rows.Err())
}

// Facts returns a device's gzip-compressed Facts with a digest, rebuilt
// from its keyframe when it is kept as a delta.
func (s *Store) Facts(ctx context.Context, deviceID, digest string) ([]byte, error) {
	var data []byte
	var base sql.NullString
	err := s.read.QueryRowContext(ctx, `SELECT data, base FROM facts WHERE device_id = $1 AND digest = $2`, deviceID, digest).Scan(&data, &base)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, handwash.Errorf(handwash.ENOTFOUND, "no Facts with digest %s for device %q", digest, deviceID)
	}
	if err != nil || !base.Valid {
		return data, s.dbErr("read Facts", err)
	}
	var key []byte
	if err := s.read.QueryRowContext(ctx, `SELECT data FROM facts WHERE device_id = $1 AND digest = $2`, deviceID, base.String).Scan(&key); err != nil {
		return nil, s.dbErr("read the keyframe of Facts "+digest, err)
	}
	keyJSON, err := gunzip(key)
	if err != nil {
		return nil, fmt.Errorf("%s: keyframe %s of device %s: %w", s.d.Name, base.String, deviceID, err)
	}
	delta, err := gunzip(data)
	if err != nil {
		return nil, fmt.Errorf("%s: Facts %s of device %s: %w", s.d.Name, digest, deviceID, err)
	}
	out, err := applyDelta(keyJSON, delta)
	if err != nil {
		return nil, fmt.Errorf("%s: Facts %s of device %s: %w", s.d.Name, digest, deviceID, err)
	}
	// Rebuilt Facts are read and dropped, so speed beats size here.
	return gzipBytes(out, gzip.BestSpeed), nil
}

// CompactFacts turns a device's whole Facts documents into deltas against
// a keyframe, where that saves at least nine tenths of their size. It
// leaves alone the device's newest Facts, which the evaluator and the API
// read, and every keyframe that deltas are based on. The judge calls it
// for the devices it judged when it has nothing else to do, so neither
// uploads nor judging wait for it.
func (s *Store) CompactFacts(ctx context.Context, deviceID string) error {
	var current string
	err := s.read.QueryRowContext(ctx, `SELECT facts_digest FROM devices WHERE id = $1`, deviceID).Scan(&current)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("device", deviceID)
	}
	if err != nil {
		return s.dbErr("compact Facts", err)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT f.digest, EXISTS (SELECT 1 FROM facts x WHERE x.device_id = f.device_id AND x.base = f.digest)
		FROM facts f WHERE f.device_id = $1 AND f.base IS NULL ORDER BY f.created_at, f.digest`, deviceID)
	if err != nil {
		return s.dbErr("compact Facts", err)
	}
	type whole struct {
		digest string
		isBase bool
	}
	var wholes []whole
	for rows.Next() {
		var w whole
		if err := rows.Scan(&w.digest, &w.isBase); err != nil {
			rows.Close()
			return s.dbErr("compact Facts", err)
		}
		wholes = append(wholes, w)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return s.dbErr("compact Facts", err)
	}
	read := func(digest string) ([]byte, []byte, error) {
		var gz []byte
		if err := s.read.QueryRowContext(ctx, `SELECT data FROM facts WHERE device_id = $1 AND digest = $2`, deviceID, digest).Scan(&gz); err != nil {
			return nil, nil, s.dbErr("compact Facts", err)
		}
		raw, err := gunzip(gz)
		return gz, raw, err
	}
	var key string
	var keyJSON []byte
	for i, w := range wholes {
		if i == 0 || w.isBase {
			key, keyJSON = w.digest, nil
			continue
		}
		if w.digest == current {
			continue
		}
		if keyJSON == nil {
			var err error
			if _, keyJSON, err = read(key); err != nil {
				return fmt.Errorf("%s: keyframe %s of device %s: %w", s.d.Name, key, deviceID, err)
			}
		}
		gz, raw, err := read(w.digest)
		if err != nil {
			continue // not gzip: kept as it came
		}
		delta := gzipBytes(makeDelta(keyJSON, raw), gzip.DefaultCompression)
		// Deltas grow as a device drifts from its keyframe. A new keyframe
		// once they pass a tenth of the whole keeps the total near its
		// least: a keyframe costs ten deltas of that size.
		if 10*len(delta) > len(gz) {
			key, keyJSON = w.digest, raw
			continue
		}
		// The conditions leave the row whole if it became a keyframe
		// meanwhile; and the update runs
		// with the device locked, so that two compactions cannot each make
		// the other's keyframe a delta.
		err = s.inTx(ctx, func(tx *sql.Tx) error {
			var one int
			if err := tx.QueryRowContext(ctx, `SELECT 1 FROM devices WHERE id = $1`+s.d.LockRows, deviceID).Scan(&one); err != nil {
				return err
			}
			// Deleted and inserted anew rather than updated: SQLite keeps
			// a whole document's first 4 KB in its row's page, and a small
			// delta left there alone would waste the rest of the page.
			var created int64
			err := tx.QueryRowContext(ctx, `DELETE FROM facts
				WHERE device_id = $1 AND digest = $2 AND base IS NULL
				AND NOT EXISTS (SELECT 1 FROM facts x WHERE x.device_id = $1 AND x.base = $2)
				AND EXISTS (SELECT 1 FROM facts k WHERE k.device_id = $1 AND k.digest = $3 AND k.base IS NULL)
				RETURNING created_at`, deviceID, w.digest, key).Scan(&created)
			if errors.Is(err, sql.ErrNoRows) {
				return nil
			}
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO facts (device_id, digest, data, base, created_at) VALUES ($1, $2, $3, $4, $5)`,
				deviceID, w.digest, delta, key, created)
			return err
		})
		if err != nil {
			return s.dbErr("compact Facts", err)
		}
	}
	return nil
}
