package s3

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/handwash/handwash"
)

// client is a minio client with the checked options.
type client struct {
	*config
	mc             *minio.Client
	versioningRead bool // GetBucketVersioning answered
}

func newClient(c *config) (*client, error) {
	mc, err := minio.New(c.Endpoint, &minio.Options{
		Creds:      credentials.NewStaticV4(c.AccessKey, c.SecretKey, c.SessionToken),
		Secure:     !c.Insecure,
		Transport:  c.Transport,
		Region:     c.Region,
		MaxRetries: 3,
	})
	if err != nil {
		return nil, &handwash.Error{Code: handwash.EINVALID, Err: err,
			Message: fmt.Sprintf("the endpoint %q cannot be used: check its spelling", c.Endpoint)}
	}
	return &client{config: c, mc: mc}, nil
}

// S3 error codes this package acts on.
const (
	codeAccessDenied   = "AccessDenied"
	codeNoSuchBucket   = "NoSuchBucket"
	codeNoSuchKey      = "NoSuchKey"
	codeNoSuchVersion  = "NoSuchVersion"
	codeNotImplemented = "NotImplemented"
)

// s3Code returns the S3 error code in err's chain, or "".
func s3Code(err error) string {
	var er minio.ErrorResponse
	if errors.As(err, &er) {
		return er.Code
	}
	return ""
}

func s3Message(err error) string {
	var er minio.ErrorResponse
	if errors.As(err, &er) {
		return er.Message
	}
	return ""
}

// isDenied reports whether the service refused the request for lack of
// permission (or because object lock forbids it).
func isDenied(err error) bool {
	switch s3Code(err) {
	case codeAccessDenied, "ObjectLocked", "AllAccessDisabled":
		return true
	}
	return false
}

func isUnsupported(err error) bool {
	switch s3Code(err) {
	case codeNotImplemented, "MethodNotAllowed", "XNotImplemented", "NotSupported":
		return true
	}
	return false
}

// fatal turns an error that stops the whole verification into a plain
// English handwash.Error. It never includes the secret key, which minio
// errors do not carry.
func (c *client) fatal(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	code := s3Code(err)
	e := &handwash.Error{Err: err}
	switch {
	case code == codeNoSuchBucket:
		e.Code, e.Message = handwash.ENOTFOUND, fmt.Sprintf(
			"there is no bucket called %q at %s: check the bucket name in the backup location and the endpoint", c.Bucket, c.Endpoint)
	case code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch" || code == "InvalidToken" || code == "ExpiredToken":
		e.Code, e.Message = handwash.EINVALID,
			"the access key or secret key is wrong (the storage service did not accept them): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
	case isDenied(err):
		e.Code, e.Message = handwash.EFORBIDDEN, fmt.Sprintf(
			"this key may not list the bucket %q: give it permission to list and read the backups (s3:ListBucket and s3:GetObject)", c.Bucket)
	case code != "":
		e.Code, e.Message = handwash.EINVALID, fmt.Sprintf(
			"the storage service at %s refused to list the bucket %q (%s): check the endpoint, region and bucket name", c.Endpoint, c.Bucket, code)
	default:
		e.Code, e.Message = unreachable(c.Endpoint, err)
	}
	return e
}

// unreachable explains a failure that came before any S3 answer.
func unreachable(endpoint string, err error) (code, msg string) {
	var dnsErr *net.DNSError
	var certErr *x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	switch {
	case errors.As(err, &dnsErr):
		return handwash.ENOTFOUND, fmt.Sprintf("the storage service %s could not be found: check the endpoint's spelling and this machine's internet connection", endpoint)
	case errors.As(err, &certErr), errors.As(err, &hostErr):
		return handwash.EINVALID, fmt.Sprintf("the storage service %s did not prove who it is (its certificate is not trusted): check the endpoint", endpoint)
	case strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return handwash.EINVALID, fmt.Sprintf("the storage service %s does not speak HTTPS: check the endpoint and port", endpoint)
	}
	return handwash.ENOTFOUND, fmt.Sprintf("could not reach the storage service at %s: check the endpoint and port, this machine's internet connection and any firewall", endpoint)
}

// reason says in a few plain words why a request failed, for Details.
func reason(err error) string {
	code := s3Code(err)
	switch {
	case isDenied(err):
		return "access denied"
	case isUnsupported(err):
		return "not supported by this storage service"
	case code != "":
		return "the service answered " + code
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return "the service could not be reached"
	}
	return "unexpected error: " + err.Error()
}
