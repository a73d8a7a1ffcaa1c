package web

import (
	"net/http"
	"strings"
	"unicode"

	"github.com/handwash/handwash"
)

type enrollRequest struct {
	Hostname string            `json:"hostname"`
	Platform handwash.Platform `json:"platform"`
	// DeviceID is the Facts' DeviceInfo.id. It is checked, and not kept
	// yet: the device record has no place for it.
	DeviceID string `json:"device_id"`
}

type enrollResponse struct {
	DeviceID   string `json:"device_id"`
	Credential string `json:"credential"`
	OrgID      string `json:"org_id"`
	SiteID     string `json:"site_id,omitempty"`
}

func (e *enrollRequest) validate() error {
	e.Hostname = strings.TrimSpace(e.Hostname)
	if err := handwash.CheckText("hostname", e.Hostname, 253); err != nil {
		return err
	}
	switch e.Platform {
	case "", handwash.PlatformWindows, handwash.PlatformMacOS, handwash.PlatformLinux, handwash.PlatformOther:
	default:
		return invalid("platform", "%q is not a platform: use windows, macos, linux or other", e.Platform)
	}
	if len(e.DeviceID) > 128 || strings.ContainsFunc(e.DeviceID, func(r rune) bool {
		return !(r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == '.'))
	}) {
		return invalid("device_id", "expected the device ID from the Facts: up to 128 letters, digits, '-', '_' and '.'")
	}
	return nil
}

// handleEnroll exchanges an enrolment token for a device and its
// credential. The store checks the token and counts its use in the same
// transaction that adds the device, so a token with one use left enrols
// one device however many ask at once.
func handleEnroll(s *server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cred, ok := bearer(r)
		if !ok {
			writeErr(w, r, errNoCredential)
			return
		}
		tokenID, secret, ok := handwash.ParseCredential(handwash.PrefixEnrollToken, cred)
		if !ok {
			if strings.HasPrefix(cred, handwash.PrefixAPIToken+"_") || strings.HasPrefix(cred, handwash.PrefixDevice+"_") {
				writeErr(w, r, errNeedsEnrollToken)
				return
			}
			writeErr(w, r, s.auth.refuse(r.Context(), errBadEnrollToken, "malformed", ""))
			return
		}
		var req enrollRequest
		if err := decodeJSON(w, r, &req); err != nil {
			writeErr(w, r, err)
			return
		}
		if err := req.validate(); err != nil {
			writeErr(w, r, err)
			return
		}
		deviceSecret := handwash.NewSecret()
		d := &handwash.Device{
			ID:         handwash.NewID("dev"),
			Hostname:   req.Hostname,
			Platform:   req.Platform,
			SecretHash: handwash.HashSecret(deviceSecret),
			Score:      -1,
		}
		err := s.store.Enroll(r.Context(), tokenID, handwash.HashSecret(secret), s.now(), d)
		switch handwash.ErrorCode(err) {
		case "":
		case handwash.EUNAUTHORIZED, handwash.ENOTFOUND:
			writeErr(w, r, s.auth.refuse(r.Context(), errBadEnrollToken, handwash.ErrorMessage(err), tokenID))
			return
		default:
			writeErr(w, r, err)
			return
		}
		notePrincipal(r.Context(), handwash.Principal{Kind: handwash.PrincipalDevice, ID: d.ID, Scope: handwash.Scope{ProviderID: d.ProviderID, OrgID: d.OrgID}, DeviceID: d.ID})
		s.log.InfoContext(r.Context(), "device enrolled", "device_id", d.ID, "org_id", d.OrgID, "enroll_token_id", tokenID)
		writeJSON(w, http.StatusCreated, enrollResponse{
			DeviceID:   d.ID,
			Credential: handwash.Credential(handwash.PrefixDevice, d.ID, deviceSecret),
			OrgID:      d.OrgID,
			SiteID:     d.SiteID,
		})
	})
}
