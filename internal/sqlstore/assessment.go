package sqlstore

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sort"
	"sync"
	"time"

	"github.com/handwash/handwash"
)

// ClaimEvaluations hands out up to limit devices marked for evaluation
// whose previous claim, if any, has ended, oldest mark first. Each claimed
// device records the mark's sequence number, so PutAssessment can tell
// whether the device was marked again while it was being judged.
func (s *Store) ClaimEvaluations(ctx context.Context, holder string, limit int, now time.Time, lease time.Duration) ([]*handwash.Device, error) {
	if holder == "" {
		return nil, invalid("evaluation holder is empty")
	}
	if limit <= 0 {
		return nil, nil
	}
	now = s.nowOr(now)
	var ds []*handwash.Device
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `UPDATE devices AS d SET eval_holder = $1, eval_until = $2, eval_claimed_seq = d.eval_seq
			WHERE d.id IN (SELECT id FROM devices WHERE eval_pending AND eval_until <= $3
				ORDER BY eval_queued_at, id LIMIT $4`+s.d.SkipLocked+`)
			RETURNING `+deviceReturning,
			holder, micros(now.Add(lease)), micros(now), limit)
		if err != nil {
			return err
		}
		ds, err = scanAll(s, rows, "claim evaluations", scanDevice)
		return err
	})
	if err != nil {
		return nil, s.dbErr("claim evaluations", err)
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i].ID < ds[j].ID })
	return ds, nil
}

// MarkAllForEvaluation marks for evaluation every device that has Facts to
// judge, and returns how many.
func (s *Store) MarkAllForEvaluation(ctx context.Context) (int, error) {
	res, err := s.write.ExecContext(ctx, `UPDATE devices SET `+markSet("$1")+` WHERE facts_digest <> ''`, micros(s.nowOr(time.Time{})))
	if err != nil {
		return 0, s.dbErr("mark devices for evaluation", err)
	}
	n, err := res.RowsAffected()
	return int(n), s.dbErr("mark devices for evaluation", err)
}

// PendingEvaluations counts the devices marked for evaluation: the judge's
// queue, for /metrics.
func (s *Store) PendingEvaluations(ctx context.Context) (int, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM devices WHERE eval_pending`).Scan(&n)
	return n, s.dbErr("count devices waiting to be judged", err)
}

// PutAssessment stores a device's newest assessment: the whole document
// gzip-compressed, its findings and area scores in rows, and a score
// history entry. A finding whose status is unchanged keeps its Since. The
// device's mark is cleared only when digest is still its newest and it was
// not marked again after it was claimed (an exception changed meanwhile).
func (s *Store) PutAssessment(ctx context.Context, deviceID, digest string, a *handwash.Assessment) error {
	if a == nil {
		return invalid("assessment is empty")
	}
	evaluated := s.nowOr(a.EvaluatedAt)
	doc, err := gzipJSON(a)
	if err != nil {
		return fmt.Errorf("encode assessment: %w", err)
	}
	findings := make([]findingRow, len(a.Findings))
	seen := map[string]bool{}
	for i := range a.Findings {
		f := &a.Findings[i]
		if f.ControlID == "" {
			return invalid("assessment finding %d has no control_id", i)
		}
		if seen[f.ControlID] {
			return invalid("assessment has two findings for control %q", f.ControlID)
		}
		seen[f.ControlID] = true
		b, err := json.Marshal(f)
		if err != nil {
			return fmt.Errorf("encode finding %s: %w", f.ControlID, err)
		}
		findings[i] = findingRow{f, b}
	}
	areas := map[handwash.Area]int{}
	for _, as := range a.Areas {
		areas[as.Area] = as.Value
	}
	history, err := json.Marshal(areas)
	if err != nil {
		return fmt.Errorf("encode area scores: %w", err)
	}
	gen := rand.Int64()
	at := micros(evaluated)
	err = s.inWriteTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		// The device row first: it is the lock that orders two assessments
		// of one device.
		res, err := tx.ExecContext(ctx, `UPDATE devices SET score = $2, evaluated_at = $3,
			eval_pending = CASE WHEN facts_digest = $4 AND (eval_holder = '' OR eval_seq = eval_claimed_seq) THEN FALSE ELSE eval_pending END,
			eval_holder = '', eval_until = 0
			WHERE id = $1`, deviceID, a.Overall.Value, at, digest)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("device", deviceID)
		}
		var orgID, providerID, hostname string
		if err := tx.QueryRowContext(ctx, `SELECT org_id, provider_id, hostname FROM devices WHERE id = $1`, deviceID).Scan(&orgID, &providerID, &hostname); err != nil {
			return err
		}
		old, had, err := storedSums(ctx, tx, deviceID)
		if err != nil {
			return err
		}
		o := a.Overall
		_, err = tx.ExecContext(ctx, `INSERT INTO assessments (device_id, digest, catalogue_version, evaluated_at,
			value, earned, max, pass, fail, unknown, excepted, not_applicable, assessed, data)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
			ON CONFLICT (device_id) DO UPDATE SET digest = excluded.digest, catalogue_version = excluded.catalogue_version,
			evaluated_at = excluded.evaluated_at, value = excluded.value, earned = excluded.earned, max = excluded.max,
			pass = excluded.pass, fail = excluded.fail, unknown = excluded.unknown, excepted = excluded.excepted,
			not_applicable = excluded.not_applicable, assessed = excluded.assessed, data = excluded.data`,
			deviceID, digest, a.CatalogueVersion, at,
			o.Value, o.Earned, o.Max, o.Pass, o.Fail, o.Unknown, o.Excepted, o.NotApplicable, o.Assessed, doc)
		if err != nil {
			return err
		}
		added := int64(1)
		if had {
			added = 0
		}
		if err := addOrgScore(ctx, tx, orgID, "", added, sumsOf(o).minus(old)); err != nil {
			return err
		}
		if err := putAreaScores(ctx, tx, orgID, deviceID, a.Areas); err != nil {
			return err
		}
		started, stopped, err := putFindings(ctx, tx, orgID, deviceID, at, gen, findings)
		if err != nil {
			return err
		}
		if had {
			if err := newFailureEvents(ctx, tx, providerID, orgID, deviceID, at, atLeast(started, handwash.SeverityHigh)); err != nil {
				return err
			}
		}
		if err := alertTransitions(ctx, tx, device{providerID, orgID, deviceID, hostname}, at, atLeast(started, handwash.SeverityCritical), stopped); err != nil {
			return err
		}
		if err := recordOrgDay(ctx, tx, orgID, evaluated); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO score_history (device_id, at, overall, areas) VALUES ($1, $2, $3, $4)`,
			deviceID, at, a.Overall.Value, string(history))
		return err
	})
	if err != nil {
		return s.dbErr("store assessment", err)
	}
	return nil
}

// atLeast keeps the findings of severity sev or worse.
func atLeast(fs []*handwash.Finding, sev handwash.Severity) []*handwash.Finding {
	var out []*handwash.Finding
	for _, f := range fs {
		if f.Severity.Rank() >= sev.Rank() {
			out = append(out, f)
		}
	}
	return out
}

// findingRow is a finding and its stored JSON.
type findingRow struct {
	f    *handwash.Finding
	data []byte
}

// putAreaScores brings a device's area score rows in line with areas,
// writing only the rows that changed: most judgements of a device change
// few of its scores, and every row written costs pages in the write-ahead
// log.
func putAreaScores(ctx context.Context, tx *sql.Tx, orgID, deviceID string, areas []handwash.AreaScore) error {
	rows, err := tx.QueryContext(ctx, `SELECT area, value, earned, max, pass, fail, unknown, excepted, not_applicable, assessed
		FROM area_scores WHERE device_id = $1`, deviceID)
	if err != nil {
		return err
	}
	have := map[handwash.Area]counts{}
	for rows.Next() {
		var area string
		var c counts
		if err := rows.Scan(&area, &c.value, &c.earned, &c.max, &c.pass, &c.fail, &c.unknown, &c.excepted, &c.notApplicable, &c.assessed); err != nil {
			rows.Close()
			return err
		}
		have[handwash.Area(area)] = c
	}
	if err := rows.Close(); err != nil {
		return err
	}
	seen := map[handwash.Area]bool{}
	var totals []areaChange
	for _, as := range areas {
		if seen[as.Area] {
			return invalid("assessment has two scores for area %q", as.Area)
		}
		seen[as.Area] = true
		want := counts{as.Value, as.Earned, as.Max, as.Pass, as.Fail, as.Unknown, as.Excepted, as.NotApplicable, as.Assessed}
		c, ok := have[as.Area]
		if ok && c == want {
			continue
		}
		added := int64(1)
		if ok {
			added = 0
		}
		totals = append(totals, areaChange{as.Area, added, sumsOf(as.Score).minus(c.sums())})
		_, err := tx.ExecContext(ctx, `INSERT INTO area_scores (device_id, area, value, earned, max, pass, fail, unknown, excepted, not_applicable, assessed)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
			ON CONFLICT (device_id, area) DO UPDATE SET value = excluded.value, earned = excluded.earned, max = excluded.max,
			pass = excluded.pass, fail = excluded.fail, unknown = excluded.unknown, excepted = excluded.excepted,
			not_applicable = excluded.not_applicable, assessed = excluded.assessed`,
			deviceID, string(as.Area), as.Value, as.Earned, as.Max, as.Pass, as.Fail, as.Unknown, as.Excepted, as.NotApplicable, as.Assessed)
		if err != nil {
			return err
		}
	}
	for area, c := range have {
		if !seen[area] {
			if _, err := tx.ExecContext(ctx, `DELETE FROM area_scores WHERE device_id = $1 AND area = $2`, deviceID, string(area)); err != nil {
				return err
			}
			totals = append(totals, areaChange{area, -1, scoreSums{}.minus(c.sums())})
		}
	}
	// In area order, so that two transactions take the organisation's
	// rows in the same order.
	sort.Slice(totals, func(i, j int) bool { return totals[i].area < totals[j].area })
	for _, t := range totals {
		if err := addOrgScore(ctx, tx, orgID, t.area, t.devices, t.sums); err != nil {
			return err
		}
	}
	return nil
}

// areaChange is a change to an organisation's sums for one area.
type areaChange struct {
	area    handwash.Area
	devices int64
	sums    scoreSums
}

// putFindings brings a device's finding rows in line with a new
// assessment, writing only the findings that changed and deleting those of
// controls no longer judged. A finding keeps its since while its status
// stays the same.
func putFindings(ctx context.Context, tx *sql.Tx, orgID, deviceID string, at, gen int64, findings []findingRow) (started []*handwash.Finding, stopped []string, err error) {
	rows, err := tx.QueryContext(ctx, `SELECT control_id, status, data FROM findings WHERE device_id = $1`, deviceID)
	if err != nil {
		return nil, nil, err
	}
	type stored struct {
		status string
		data   []byte
	}
	have := map[string]stored{}
	for rows.Next() {
		var id string
		var st stored
		if err := rows.Scan(&id, &st.status, &st.data); err != nil {
			rows.Close()
			return nil, nil, err
		}
		have[id] = st
	}
	if err := rows.Close(); err != nil {
		return nil, nil, err
	}
	fail := string(handwash.StatusFail)
	failing := map[string]int64{}
	var stmt *sql.Stmt
	for _, r := range findings {
		f := r.f
		st, ok := have[f.ControlID]
		if ok && st.status == string(f.Status) && bytes.Equal(st.data, r.data) {
			continue
		}
		switch was, is := ok && st.status == fail, string(f.Status) == fail; {
		case is && !was:
			failing[f.ControlID]++
			started = append(started, f)
		case was && !is:
			failing[f.ControlID]--
			stopped = append(stopped, f.ControlID)
		}
		if stmt == nil {
			if stmt, err = tx.PrepareContext(ctx, `INSERT INTO findings (device_id, control_id, area, severity, severity_rank, status, since, gen, data)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
				ON CONFLICT (device_id, control_id) DO UPDATE SET area = excluded.area, severity = excluded.severity,
				severity_rank = excluded.severity_rank, gen = excluded.gen, data = excluded.data,
				since = CASE WHEN findings.status = excluded.status THEN findings.since ELSE excluded.since END,
				status = excluded.status`); err != nil {
				return nil, nil, err
			}
			defer stmt.Close()
		}
		if _, err := stmt.ExecContext(ctx, deviceID, f.ControlID, string(f.Area), string(f.Severity), f.Severity.Rank(),
			string(f.Status), at, gen, string(r.data)); err != nil {
			return nil, nil, err
		}
	}
	judged := make(map[string]bool, len(findings))
	for _, r := range findings {
		judged[r.f.ControlID] = true
	}
	for id, st := range have {
		if !judged[id] {
			if _, err := tx.ExecContext(ctx, `DELETE FROM findings WHERE device_id = $1 AND control_id = $2`, deviceID, id); err != nil {
				return nil, nil, err
			}
			if st.status == fail {
				failing[id]--
				stopped = append(stopped, id)
			}
		}
	}
	return started, stopped, addOrgFailures(ctx, tx, orgID, failing)
}

// Assessment returns a device's newest assessment.
func (s *Store) Assessment(ctx context.Context, scope handwash.Scope, deviceID string) (*handwash.Assessment, error) {
	var q query
	q.where("a.device_id = ?", deviceID)
	q.scoped(scope, "d")
	var doc []byte
	err := s.read.QueryRowContext(ctx, `SELECT a.data FROM assessments a JOIN devices d ON d.id = a.device_id`+q.clause(), q.args...).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := s.device(ctx, s.read, scope, deviceID); err != nil {
			return nil, err
		}
		return nil, handwash.Errorf(handwash.ENOTFOUND, "device %q has not been assessed yet", deviceID)
	}
	if err != nil {
		return nil, s.dbErr("read assessment", err)
	}
	var a handwash.Assessment
	if err := gunzipJSON(doc, &a); err != nil {
		return nil, fmt.Errorf("%s: assessment of device %s: %w", s.d.Name, deviceID, err)
	}
	return &a, nil
}

// ScoreHistory returns a device's scores since a time, oldest first.
func (s *Store) ScoreHistory(ctx context.Context, scope handwash.Scope, deviceID string, since time.Time) ([]handwash.ScorePoint, error) {
	if _, err := s.device(ctx, s.read, scope, deviceID); err != nil {
		return nil, err
	}
	rows, err := s.read.QueryContext(ctx, `SELECT at, overall, areas FROM score_history WHERE device_id = $1 AND at >= $2 ORDER BY at, id`,
		deviceID, micros(since))
	if err != nil {
		return nil, s.dbErr("read score history", err)
	}
	defer rows.Close()
	var ps []handwash.ScorePoint
	for rows.Next() {
		var p handwash.ScorePoint
		var at int64
		var areas string
		if err := rows.Scan(&at, &p.Overall, &areas); err != nil {
			return nil, s.dbErr("read score history", err)
		}
		p.At = fromMicros(at)
		if err := json.Unmarshal([]byte(areas), &p.Areas); err != nil {
			return nil, fmt.Errorf("%s: score history of device %s: %w", s.d.Name, deviceID, err)
		}
		ps = append(ps, p)
	}
	return ps, s.dbErr("read score history", rows.Err())
}

// Findings lists the current findings of the devices in scope that pass
// the filter, most severe first, then the longest-standing, and how many
// pass it in all.
func (s *Store) Findings(ctx context.Context, scope handwash.Scope, f handwash.FindingFilter) ([]*handwash.DeviceFinding, int, error) {
	var q query
	q.scoped(scope, "d")
	if f.OrgID != "" {
		q.where("d.org_id = ?", f.OrgID)
	}
	if f.DeviceID != "" {
		q.where("f.device_id = ?", f.DeviceID)
	}
	if f.ControlID != "" {
		q.where("f.control_id = ?", f.ControlID)
	}
	if f.Status != "" {
		q.where("f.status = ?", string(f.Status))
	}
	if f.Area != "" {
		q.where("f.area = ?", string(f.Area))
	}
	from := ` FROM findings f JOIN devices d ON d.id = f.device_id` + q.clause()
	var total int
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*)`+from, q.args...).Scan(&total); err != nil {
		return nil, 0, s.dbErr("count findings", err)
	}
	stmt := `SELECT f.device_id, d.hostname, f.since, f.data` + from +
		` ORDER BY f.severity_rank DESC, f.since, d.hostname, f.device_id, f.control_id` + q.page(f.Offset, f.Limit)
	rows, err := s.read.QueryContext(ctx, stmt, q.args...)
	if err != nil {
		return nil, 0, s.dbErr("list findings", err)
	}
	defer rows.Close()
	var fs []*handwash.DeviceFinding
	for rows.Next() {
		var df handwash.DeviceFinding
		var since int64
		var data string
		if err := rows.Scan(&df.DeviceID, &df.Hostname, &since, &data); err != nil {
			return nil, 0, s.dbErr("list findings", err)
		}
		df.Since = fromMicros(since)
		if err := json.Unmarshal([]byte(data), &df.Finding); err != nil {
			return nil, 0, fmt.Errorf("%s: finding of device %s: %w", s.d.Name, df.DeviceID, err)
		}
		fs = append(fs, &df)
	}
	return fs, total, s.dbErr("list findings", rows.Err())
}

// OrgScores gives the sums of the newest scores of an organisation's
// assessed devices, area by area, scored as policy.Score does. The sums are
// kept up to date as assessments are stored (org_scores), so this reads a
// few rows however many devices there are.
func (s *Store) OrgScores(ctx context.Context, scope handwash.Scope, orgID string) (*handwash.OrgScores, error) {
	if err := s.orgInScope(ctx, s.read, scope, orgID); err != nil {
		return nil, err
	}
	rows, err := s.read.QueryContext(ctx, `SELECT area, devices, earned, max, pass, fail, unknown, excepted, not_applicable
		FROM org_scores WHERE org_id = $1 AND devices > 0`, orgID)
	if err != nil {
		return nil, s.dbErr("read scores", err)
	}
	defer rows.Close()
	out := &handwash.OrgScores{OrgID: orgID, Overall: scoreSums{}.score()}
	byArea := map[handwash.Area]handwash.Score{}
	var extra []handwash.Area
	for rows.Next() {
		var area handwash.Area
		var devices int64
		var x scoreSums
		if err := rows.Scan(&area, &devices, &x.earned, &x.max, &x.pass, &x.fail, &x.unknown, &x.excepted, &x.notApplicable); err != nil {
			return nil, s.dbErr("read scores", err)
		}
		if area == "" {
			out.Devices, out.Overall = int(devices), x.score()
			continue
		}
		byArea[area] = x.score()
		if !area.Valid() {
			extra = append(extra, area)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, s.dbErr("read scores", err)
	}
	sort.Slice(extra, func(i, j int) bool { return extra[i] < extra[j] })
	for _, area := range append(append([]handwash.Area{}, handwash.Areas...), extra...) {
		sc, ok := byArea[area]
		if !ok {
			finishScore(&sc)
		}
		out.Areas = append(out.Areas, handwash.AreaScore{Area: area, Title: area.Title(), Score: sc})
	}
	return out, nil
}

// finishScore computes a score's value from its points as policy.Score
// does: -1 and not assessed when nothing was worth points.
func finishScore(s *handwash.Score) {
	s.Assessed = s.Max > 0
	if !s.Assessed {
		s.Value = -1
		return
	}
	s.Value = int(math.Round(100 * float64(s.Earned) / float64(s.Max)))
}

// gzipJSON encodes v as gzip-compressed JSON, at gzip's fastest level: an
// assessment is written on every judgement and read rarely, and its
// repetitive JSON compresses almost as well as at the default level.
func gzipJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	zw := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(zw)
	zw.Reset(&b)
	if err := json.NewEncoder(zw).Encode(v); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
	return zw
}}

func gunzipJSON(b []byte, v any) error {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return err
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}
