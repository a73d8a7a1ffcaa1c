// Package storetest is the conformance suite every handwash.Store must
// pass, as litestream's replica client tests are for its backends: the
// sqlite and postgres packages run it from their tests, so both stores
// behave the same, down to which error code a call returns.
package storetest

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/handwash/handwash"
)

// Run runs every conformance test against stores made by open. Each
// subtest gets a fresh, empty store from open, which Run closes when the
// subtest ends. Subtests run in parallel, so open must give each its own
// database.
func Run(t *testing.T, open func(t *testing.T) handwash.Store) {
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tc.fn(t, s)
		})
	}
}

// tests lists the behaviours, one subtest each.
var tests = []struct {
	name string
	fn   func(t *testing.T, s handwash.Store)
}{
	{"Providers", testProviders},
	{"Orgs", testOrgs},
	{"Sites", testSites},
	{"Users", testUsers},
	{"APITokens", testAPITokens},
	{"EnrollTokens", testEnrollTokens},
	{"Enroll", testEnroll},
	{"EnrollRefused", testEnrollRefused},
	{"EnrollConcurrent", testEnrollConcurrent},
	{"Devices", testDevices},
	{"DeleteDevice", testDeleteDevice},
	{"CountDevices", testCountDevices},
	{"PutSnapshot", testPutSnapshot},
	{"PutSnapshotRetry", testPutSnapshotRetry},
	{"PutSnapshotUnchanged", testPutSnapshotUnchanged},
	{"PutSnapshotLate", testPutSnapshotLate},
	{"PutSnapshotConcurrent", testPutSnapshotConcurrent},
	{"PutSnapshotBurst", testPutSnapshotBurst},
	{"FactsHistory", testFactsHistory},
	{"ClaimEvaluations", testClaimEvaluations},
	{"ClaimEvaluationsConcurrent", testClaimEvaluationsConcurrent},
	{"PutAssessmentNewerDigest", testPutAssessmentNewerDigest},
	{"PutAssessmentMarkedMeanwhile", testPutAssessmentMarkedMeanwhile},
	{"Assessment", testAssessment},
	{"ScoreHistory", testScoreHistory},
	{"Findings", testFindings},
	{"FindingsSince", testFindingsSince},
	{"OrgScores", testOrgScores},
	{"FailureCounts", testFailureCounts},
	{"OrgTotalsFollowChanges", testOrgTotalsFollowChanges},
	{"OrgScoreHistory", testOrgScoreHistory},
	{"Exceptions", testExceptions},
	{"ExceptionsMarkDevices", testExceptionsMarkDevices},
	{"Leases", testLeases},
	{"LeasesConcurrent", testLeasesConcurrent},
	{"Settings", testSettings},
	{"MarkAllForEvaluation", testMarkAllForEvaluation},
	{"IsolationProviders", testIsolationProviders},
	{"IsolationOrgs", testIsolationOrgs},
	{"UserByEmail", testUserByEmail},
	{"Password", testPassword},
	{"MFA", testMFA},
	{"TOTPStepConcurrent", testTOTPStepConcurrent},
	{"RecoveryCodes", testRecoveryCodes},
	{"Sessions", testSessions},
	{"SessionsExpire", testSessionsExpire},
	{"AccountsCascade", testAccountsCascade},
	{"Invitations", testInvitations},
	{"Audit", testAudit},
	{"AuditLimit", testAuditLimit},
	{"NotifyKinds", testNotifyKinds},
	{"Webhooks", testWebhooks},
	{"NewFailureEvents", testNewFailureEvents},
	{"StaleNotices", testStaleNotices},
	{"WeeklySummaries", testWeeklySummaries},
	{"QueueNotification", testQueueNotification},
	{"NotifyRecipients", testNotifyRecipients},
	{"Deliveries", testDeliveries},
	{"ClaimDeliveriesConcurrent", testClaimDeliveriesConcurrent},
	{"AutomaticAlerts", testAutomaticAlerts},
	{"ManualAlerts", testManualAlerts},
	{"AlertClocks", testAlertClocks},
	{"AlertReminders", testAlertReminders},
	{"FeedCopies", testFeedCopies},
	{"PhishInbox", testPhishInbox},
	{"PhishReports", testPhishReports},
	{"PhishReportRefused", testPhishReportRefused},
	{"PhishMonths", testPhishMonths},
	{"BackupJobs", testBackupJobs},
	{"BackupPings", testBackupPings},
	{"CloudAccounts", testCloudAccounts},
	{"MobileDevices", testMobileDevices},
	{"NetworkDevices", testNetworkDevices},
	{"SelfCheckedPhones", testSelfCheckedPhones},
	{"StaffLinks", testStaffLinks},
	{"Answers", testAnswers},
	{"StaffAndTraining", testStaffAndTraining},
	{"IncidentsAndExercises", testIncidentsAndExercises},
}

// t0 is the suite's "now": every time a test passes is near it.
var t0 = time.Date(2026, 3, 2, 9, 30, 0, 123456000, time.UTC)

// world is a small tenancy: provider A with organisations A1 (with a site)
// and A2, provider B with organisation B1, and one device in each
// organisation.
type world struct {
	s      handwash.Store
	ctx    context.Context
	provA  *handwash.Provider
	provB  *handwash.Provider
	orgA1  *handwash.Org
	orgA2  *handwash.Org
	orgB1  *handwash.Org
	siteA1 *handwash.Site
	devA1  *handwash.Device
	devA2  *handwash.Device
	devB1  *handwash.Device
	// scopes
	a, a1, a2, b handwash.Scope
	// enrolled counts enrolments, each a minute after the one before.
	enrolled int
}

func newWorld(t *testing.T, s handwash.Store) *world {
	t.Helper()
	w := &world{s: s, ctx: context.Background()}
	w.provA = &handwash.Provider{Name: "Acme IT"}
	w.provB = &handwash.Provider{Name: "Bravo Support"}
	must(t, s.CreateProvider(w.ctx, w.provA))
	must(t, s.CreateProvider(w.ctx, w.provB))
	w.a = handwash.Scope{ProviderID: w.provA.ID}
	w.b = handwash.Scope{ProviderID: w.provB.ID}
	w.orgA1 = &handwash.Org{Name: "Rose Care Home"}
	w.orgA2 = &handwash.Org{Name: "Elm Surgery"}
	w.orgB1 = &handwash.Org{Name: "Oak Pharmacy"}
	must(t, s.CreateOrg(w.ctx, w.a, w.orgA1))
	must(t, s.CreateOrg(w.ctx, w.a, w.orgA2))
	must(t, s.CreateOrg(w.ctx, w.b, w.orgB1))
	w.a1 = handwash.Scope{ProviderID: w.provA.ID, OrgID: w.orgA1.ID}
	w.a2 = handwash.Scope{ProviderID: w.provA.ID, OrgID: w.orgA2.ID}
	w.siteA1 = &handwash.Site{OrgID: w.orgA1.ID, Name: "Main building"}
	must(t, s.CreateSite(w.ctx, w.a, w.siteA1))
	w.devA1 = w.enroll(t, w.a, w.orgA1.ID, w.siteA1.ID, "reception-pc", handwash.PlatformWindows)
	w.devA2 = w.enroll(t, w.a, w.orgA2.ID, "", "gp-laptop", handwash.PlatformMacOS)
	w.devB1 = w.enroll(t, w.b, w.orgB1.ID, "", "till", handwash.PlatformLinux)
	return w
}

// enroll adds a device to an organisation through a new enrolment token.
func (w *world) enroll(t *testing.T, scope handwash.Scope, orgID, siteID, hostname string, p handwash.Platform) *handwash.Device {
	t.Helper()
	tok, secret := w.enrollToken(t, scope, orgID, siteID, 1)
	d := &handwash.Device{ID: handwash.NewID("dev"), Hostname: hostname, Platform: p, SecretHash: handwash.HashSecret(handwash.NewSecret())}
	must(t, w.s.Enroll(w.ctx, tok.ID, handwash.HashSecret(secret), t0.Add(time.Duration(w.enrolled)*time.Minute), d))
	w.enrolled++
	return d
}

func (w *world) enrollToken(t *testing.T, scope handwash.Scope, orgID, siteID string, uses int) (*handwash.EnrollToken, string) {
	t.Helper()
	secret := handwash.NewSecret()
	tok := &handwash.EnrollToken{OrgID: orgID, SiteID: siteID, SecretHash: handwash.HashSecret(secret), MaxUses: uses, ExpiresAt: t0.Add(24 * time.Hour)}
	must(t, w.s.CreateEnrollToken(w.ctx, scope, tok))
	return tok, secret
}

// snap uploads a snapshot of a device with content text, collected at
// at, and returns whether it was stored.
func (w *world) snap(t *testing.T, d *handwash.Device, id, content string, at time.Time) bool {
	t.Helper()
	created, err := w.s.PutSnapshot(w.ctx, d, &handwash.Snapshot{ID: id, CollectedAt: at, ReceivedAt: at.Add(time.Second), Digest: digest(content), Size: len(content)}, gz(content))
	must(t, err)
	return created
}

// device reads a device back as the server sees it.
func (w *world) device(t *testing.T, d *handwash.Device) *handwash.Device {
	t.Helper()
	got, err := w.s.DeviceForAuth(w.ctx, d.ID)
	must(t, err)
	return got
}

func digest(content string) string {
	sum := sha256.Sum256([]byte(content))
	return "sha256:" + hex.EncodeToString(sum[:])
}

func gz(content string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(content))
	zw.Close()
	return b.Bytes()
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantCode checks that err carries a handwash error code.
func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := handwash.ErrorCode(err); got != code {
		t.Errorf("%s: error %v (code %q), want code %q", what, err, got, code)
	}
	var he *handwash.Error
	if code != "" && code != handwash.EINTERNAL && !errors.As(err, &he) {
		t.Errorf("%s: error %T is not a *handwash.Error", what, err)
	}
}

func diff(t *testing.T, what string, got, want any, opts ...cmp.Option) {
	t.Helper()
	if d := cmp.Diff(want, got, opts...); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, d)
	}
}

func ptr[T any](v T) *T { return &v }
