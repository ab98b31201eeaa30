package app

import "github.com/docket/docket/internal/seal"

// Secrets kept at rest (webhook secrets, the statement signing keys) are
// sealed by package seal under keys derived from the signing secret, one per
// purpose, each value bound to the row it belongs to.

// AuditKey derives, from the signing secret, the key under which the audit
// trail hashes confidential values (HMAC-SHA256), as New does: seal.AuditKey.
// It fails without a secret.
func AuditKey(secret []byte) ([]byte, error) { return seal.AuditKey(secret) }
