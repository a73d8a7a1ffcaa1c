package s3

import (
	"context"
	"fmt"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/lifecycle"

	"github.com/handwash/handwash/backup"
)

// Codes with which services say a setting was never made; they mean "off",
// not "unknown".
const (
	codeNoLock       = "ObjectLockConfigurationNotFoundError"
	codeNoEncryption = "ServerSideEncryptionConfigurationNotFoundError"
	codeNoLifecycle  = "NoSuchLifecycleConfiguration"
)

// protection reads the bucket's settings. A setting that cannot be read is
// listed in Errors; it does not stop the verification.
func (c *client) protection(ctx context.Context) *backup.BucketProtection {
	p := &backup.BucketProtection{}
	steps := []struct {
		what string
		read func(context.Context, *backup.BucketProtection) error
	}{
		{"versioning", c.readVersioning},
		{"object lock", c.readObjectLock},
		{"default encryption", c.readEncryption},
		{"lifecycle rules", c.readLifecycle},
	}
	for _, s := range steps {
		if err := s.read(ctx, p); err != nil {
			p.Errors = append(p.Errors, settingError(s.what, err))
		}
	}
	return p
}

func settingError(what string, err error) string {
	switch {
	case isDenied(err):
		return fmt.Sprintf("Could not read the bucket's %s: this key is not allowed to. Check the setting in the storage provider's console, or let this key read it.", what)
	case isUnsupported(err):
		return fmt.Sprintf("This storage service does not report %s, so Handwash could not check it. Check it in the provider's console.", what)
	}
	return fmt.Sprintf("Could not read the bucket's %s (%s). Check the setting in the storage provider's console.", what, reason(err))
}

func (c *client) readVersioning(ctx context.Context, p *backup.BucketProtection) error {
	v, err := c.mc.GetBucketVersioning(ctx, c.Bucket)
	if err != nil {
		return err
	}
	p.Versioning = v.Status
	c.versioningRead = true
	return nil
}

func (c *client) readObjectLock(ctx context.Context, p *backup.BucketProtection) error {
	enabled, mode, validity, unit, err := c.mc.GetObjectLockConfig(ctx, c.Bucket)
	if s3Code(err) == codeNoLock {
		return nil
	}
	if err != nil {
		return err
	}
	p.ObjectLock = strings.EqualFold(enabled, "Enabled")
	if mode != nil {
		p.LockMode = strings.ToUpper(mode.String())
	}
	p.RetentionDays = retentionDays(validity, unit)
	return nil
}

// retentionDays converts a default retention to days, a year being 365.
func retentionDays(validity *uint, unit *minio.ValidityUnit) int {
	if validity == nil {
		return 0
	}
	days := int(*validity)
	if unit != nil && *unit == minio.Years {
		days *= 365
	}
	return days
}

func (c *client) readEncryption(ctx context.Context, p *backup.BucketProtection) error {
	cfg, err := c.mc.GetBucketEncryption(ctx, c.Bucket)
	if s3Code(err) == codeNoEncryption {
		return nil
	}
	if err != nil {
		return err
	}
	for _, r := range cfg.Rules {
		if alg := r.Apply.SSEAlgorithm; alg != "" {
			p.Encryption = alg
			break
		}
	}
	return nil
}

func (c *client) readLifecycle(ctx context.Context, p *backup.BucketProtection) error {
	cfg, err := c.mc.GetBucketLifecycle(ctx, c.Bucket)
	if s3Code(err) == codeNoLifecycle {
		return nil
	}
	if err != nil {
		return err
	}
	p.LifecycleRules = len(cfg.Rules)
	p.ExpiresAfterDays = shortestExpiry(cfg.Rules, c.prefix)
	return nil
}

// shortestExpiry returns the fewest days after which an enabled rule that
// may cover the backups under prefix deletes current objects; 0 when none
// does.
func shortestExpiry(rules []lifecycle.Rule, prefix string) int {
	shortest := 0
	for _, r := range rules {
		days := int(r.Expiration.Days)
		if !strings.EqualFold(r.Status, "Enabled") || days <= 0 || !covers(rulePrefix(r), prefix) {
			continue
		}
		if shortest == 0 || days < shortest {
			shortest = days
		}
	}
	return shortest
}

func rulePrefix(r lifecycle.Rule) string {
	switch {
	case r.RuleFilter.And.Prefix != "":
		return r.RuleFilter.And.Prefix
	case r.RuleFilter.Prefix != "":
		return r.RuleFilter.Prefix
	}
	return r.Prefix
}

// covers reports whether a rule for rulePrefix may touch objects under
// prefix: it covers all of them, or some of them (a sub-folder). Tag and
// size filters are not weighed: such a rule may still delete backups.
func covers(rulePrefix, prefix string) bool {
	return strings.HasPrefix(prefix, rulePrefix) || strings.HasPrefix(rulePrefix, prefix)
}
