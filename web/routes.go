package web

import (
	"net/http"

	"github.com/handwash/handwash"
)

// handler is what routes are added to: an *http.ServeMux, or in tests a
// recorder that lists the routes.
type handler interface {
	Handle(pattern string, h http.Handler)
}

// addRoutes is the whole API surface in one place. Each route says who may
// call it: nobody in particular (operations), an enrolment token, a device,
// or an API token with a role (see the require* constants). Every change
// made with an API token is audited.
func addRoutes(mux handler, s *server) {
	// Operations, without a credential.
	mux.Handle("GET /healthz", handleHealthz())
	mux.Handle("GET /readyz", handleReadyz(s.store, s.log))
	mux.Handle("GET /metrics", handleMetrics(s.registry))

	// Backup jobs report here on success or failure; the address is the
	// credential.
	mux.Handle("GET /hb/{cred}", handleBackupPing(s, true))
	mux.Handle("POST /hb/{cred}", handleBackupPing(s, true))
	mux.Handle("GET /hb/{cred}/fail", handleBackupPing(s, false))
	mux.Handle("POST /hb/{cred}/fail", handleBackupPing(s, false))

	// Agents.
	mux.Handle("POST /api/v1/enroll", handleEnroll(s))
	mux.Handle("POST /api/v1/snapshots", s.device(handleSnapshotUpload(s)))
	mux.Handle("GET /api/v1/device", s.device(handleDeviceSelf(s)))
	// Agent updates: the newest signed release, and the release itself.
	mux.Handle("GET /api/v1/agent/release", s.device(handleReleaseOffer(s)))
	mux.Handle("GET /api/v1/agent/releases/{file}", s.device(handleReleaseFile(s)))

	// Organisations and sites.
	mux.Handle("GET /api/v1/orgs", s.token(requireAny, handleScopedList(s.store, handwash.Store.Orgs)))
	mux.Handle("POST /api/v1/orgs", s.token(requireProviderAdmin, s.audited("org.create", handleOrgCreate(s))))
	mux.Handle("GET /api/v1/orgs/{org}", s.token(requireAny, handleOrgGet(s.store)))
	mux.Handle("GET /api/v1/orgs/{org}/sites", s.token(requireAny, handleSiteList(s.store)))
	mux.Handle("POST /api/v1/orgs/{org}/sites", s.token(requireAdmin, s.audited("site.create", handleSiteCreate(s))))

	// Devices and what they were judged to be.
	mux.Handle("GET /api/v1/devices", s.token(requireAny, handleDeviceList(s)))
	mux.Handle("GET /api/v1/devices/{device}", s.token(requireAny, handleDeviceGet(s)))
	mux.Handle("DELETE /api/v1/devices/{device}", s.token(requireAdmin, s.audited("device.delete", handleDeviceDelete(s.store))))
	mux.Handle("GET /api/v1/devices/{device}/assessment", s.token(requireAny, handleAssessmentGet(s.store)))
	mux.Handle("GET /api/v1/devices/{device}/scores", s.token(requireAny, handleScoreHistory(s.store)))
	mux.Handle("GET /api/v1/devices/{device}/snapshots", s.token(requireAny, handleSnapshotList(s.store)))
	mux.Handle("GET /api/v1/findings", s.token(requireAny, handleFindingList(s.store)))

	// Exceptions (accepted risks).
	mux.Handle("GET /api/v1/exceptions", s.token(requireAny, handleOrgFilteredList(s.store, handwash.Store.Exceptions)))
	mux.Handle("POST /api/v1/exceptions", s.token(requireAdmin, s.audited("exception.grant", handleExceptionCreate(s))))
	mux.Handle("DELETE /api/v1/exceptions/{id}", s.token(requireAdmin, s.audited("exception.revoke", handleExceptionDelete(s))))

	// Alerts: automatic ones opened by the server, manual ones entered by
	// people (such as NHS England cyber alerts).
	mux.Handle("GET /api/v1/alerts", s.token(requireAny, handleAlertList(s)))
	mux.Handle("POST /api/v1/alerts", s.token(requireAdmin, s.audited("alert.create", handleAlertCreate(s))))
	mux.Handle("GET /api/v1/alerts/{id}", s.token(requireAny, handleAlertGet(s)))
	mux.Handle("POST /api/v1/alerts/{id}/acknowledge", s.token(requireAdmin, s.audited("alert.acknowledge", handleAlertAcknowledge(s))))
	mux.Handle("POST /api/v1/alerts/{id}/close", s.token(requireAdmin, s.audited("alert.close", handleAlertClose(s))))

	// People and credentials.
	mux.Handle("GET /api/v1/users", s.token(requireAdmin, handleScopedList(s.store, handwash.Store.Users)))
	mux.Handle("POST /api/v1/users", s.token(requireAdmin, s.audited("user.create", handleUserCreate(s))))
	mux.Handle("PATCH /api/v1/users/{id}", s.token(requireAdmin, s.audited("user.update", handleUserUpdate(s.store))))
	mux.Handle("GET /api/v1/tokens", s.token(requireAdmin, handleScopedList(s.store, handwash.Store.APITokens)))
	mux.Handle("POST /api/v1/tokens", s.token(requireAdmin, s.audited("token.create", handleTokenCreate(s))))
	mux.Handle("DELETE /api/v1/tokens/{id}", s.token(requireAdmin, s.audited("token.revoke", handleTokenRevoke(s.store))))
	mux.Handle("GET /api/v1/enroll-tokens", s.token(requireAdmin, handleOrgFilteredList(s.store, handwash.Store.EnrollTokens)))
	mux.Handle("POST /api/v1/enroll-tokens", s.token(requireAdmin, s.audited("enroll_token.create", handleEnrollTokenCreate(s))))
	mux.Handle("DELETE /api/v1/enroll-tokens/{id}", s.token(requireAdmin, s.audited("enroll_token.revoke", handleEnrollTokenRevoke(s.store))))

	// Anything else under the API answers in JSON, as every API error does.
	mux.Handle("/api/", handleAPINotFound(mux))
}
