package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"time"

	"github.com/handwash/handwash"
)

// An organisation's running totals (org_scores, org_failures) change with
// every assessment stored and every device deleted, in the same
// transaction, so the dashboard reads a few rows where it would otherwise
// add up the scores and findings of thousands of devices on every page.

// scoreSums are the points and counts of one score, as stored per device
// (assessments, area_scores) and summed per organisation (org_scores).
type scoreSums struct {
	earned, max, pass, fail, unknown, excepted, notApplicable int64
}

func sumsOf(sc handwash.Score) scoreSums {
	return scoreSums{int64(sc.Earned), int64(sc.Max), int64(sc.Pass), int64(sc.Fail), int64(sc.Unknown), int64(sc.Excepted), int64(sc.NotApplicable)}
}

func (a scoreSums) minus(b scoreSums) scoreSums {
	return scoreSums{a.earned - b.earned, a.max - b.max, a.pass - b.pass, a.fail - b.fail, a.unknown - b.unknown, a.excepted - b.excepted, a.notApplicable - b.notApplicable}
}

func (a scoreSums) score() handwash.Score {
	sc := handwash.Score{Earned: int(a.earned), Max: int(a.max), Pass: int(a.pass), Fail: int(a.fail), Unknown: int(a.unknown), Excepted: int(a.excepted), NotApplicable: int(a.notApplicable)}
	finishScore(&sc)
	return sc
}

// addOrgScore adds a change to an organisation's sums for one area ("" for
// the overall score); devices is how many devices' scores came or went.
func addOrgScore(ctx context.Context, tx *sql.Tx, orgID string, area handwash.Area, devices int64, d scoreSums) error {
	if devices == 0 && d == (scoreSums{}) {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO org_scores (org_id, area, devices, earned, max, pass, fail, unknown, excepted, not_applicable)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (org_id, area) DO UPDATE SET devices = org_scores.devices + excluded.devices,
		earned = org_scores.earned + excluded.earned, max = org_scores.max + excluded.max,
		pass = org_scores.pass + excluded.pass, fail = org_scores.fail + excluded.fail,
		unknown = org_scores.unknown + excluded.unknown, excepted = org_scores.excepted + excluded.excepted,
		not_applicable = org_scores.not_applicable + excluded.not_applicable`,
		orgID, string(area), devices, d.earned, d.max, d.pass, d.fail, d.unknown, d.excepted, d.notApplicable)
	return err
}

// addOrgFailures adds changes to the counts of an organisation's devices
// failing each control, in control order, so two transactions touching
// the same rows always take them in the same order.
func addOrgFailures(ctx context.Context, tx *sql.Tx, orgID string, deltas map[string]int64) error {
	ids := make([]string, 0, len(deltas))
	for id, n := range deltas {
		if n != 0 {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `INSERT INTO org_failures (org_id, control_id, devices) VALUES ($1, $2, $3)
			ON CONFLICT (org_id, control_id) DO UPDATE SET devices = org_failures.devices + excluded.devices`,
			orgID, id, deltas[id]); err != nil {
			return err
		}
	}
	return nil
}

// storedSums reads one device's stored overall score, and reports whether
// it has one.
func storedSums(ctx context.Context, tx *sql.Tx, deviceID string) (scoreSums, bool, error) {
	var s scoreSums
	err := tx.QueryRowContext(ctx, `SELECT earned, max, pass, fail, unknown, excepted, not_applicable FROM assessments WHERE device_id = $1`, deviceID).
		Scan(&s.earned, &s.max, &s.pass, &s.fail, &s.unknown, &s.excepted, &s.notApplicable)
	if errors.Is(err, sql.ErrNoRows) {
		return s, false, nil
	}
	return s, err == nil, err
}

// removeFromOrgTotals takes a device's scores and failures out of its
// organisation's totals, before the device is deleted.
func removeFromOrgTotals(ctx context.Context, tx *sql.Tx, orgID, deviceID string) error {
	old, ok, err := storedSums(ctx, tx, deviceID)
	if err != nil {
		return err
	}
	if ok {
		if err := addOrgScore(ctx, tx, orgID, "", -1, scoreSums{}.minus(old)); err != nil {
			return err
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT area, earned, max, pass, fail, unknown, excepted, not_applicable FROM area_scores WHERE device_id = $1 ORDER BY area`, deviceID)
	if err != nil {
		return err
	}
	type areaSums struct {
		area string
		s    scoreSums
	}
	var areas []areaSums
	for rows.Next() {
		var a areaSums
		if err := rows.Scan(&a.area, &a.s.earned, &a.s.max, &a.s.pass, &a.s.fail, &a.s.unknown, &a.s.excepted, &a.s.notApplicable); err != nil {
			rows.Close()
			return err
		}
		areas = append(areas, a)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for _, a := range areas {
		if err := addOrgScore(ctx, tx, orgID, handwash.Area(a.area), -1, scoreSums{}.minus(a.s)); err != nil {
			return err
		}
	}
	rows, err = tx.QueryContext(ctx, `SELECT control_id FROM findings WHERE device_id = $1 AND status = $2`, deviceID, string(handwash.StatusFail))
	if err != nil {
		return err
	}
	failing := map[string]int64{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		failing[id] = -1
	}
	if err := rows.Close(); err != nil {
		return err
	}
	return addOrgFailures(ctx, tx, orgID, failing)
}

// counts is one stored area score of a device.
type counts struct {
	value, earned, max, pass, fail, unknown, excepted, notApplicable int
	assessed                                                         bool
}

func (c counts) sums() scoreSums {
	return scoreSums{int64(c.earned), int64(c.max), int64(c.pass), int64(c.fail), int64(c.unknown), int64(c.excepted), int64(c.notApplicable)}
}

// dayFormat is how org_score_history names a day.
const dayFormat = "2006-01-02"

// recordOrgDay writes an organisation's overall score, as its totals now
// stand, as the score of day (UTC); a day whose row already says so is
// not written again, as most judgements change no sums.
func recordOrgDay(ctx context.Context, tx *sql.Tx, orgID string, at time.Time) error {
	var devices int64
	var s scoreSums
	err := tx.QueryRowContext(ctx, `SELECT devices, earned, max FROM org_scores WHERE org_id = $1 AND area = ''`, orgID).Scan(&devices, &s.earned, &s.max)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO org_score_history (org_id, day, value, devices, earned, max) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (org_id, day) DO UPDATE SET value = excluded.value, devices = excluded.devices, earned = excluded.earned, max = excluded.max
		WHERE org_score_history.devices <> excluded.devices OR org_score_history.earned <> excluded.earned OR org_score_history.max <> excluded.max`,
		orgID, at.UTC().Format(dayFormat), s.score().Value, devices, s.earned, s.max)
	return err
}
