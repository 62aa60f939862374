package diff

import (
	"crypto/sha256"
	"encoding/base64"

	"github.com/svccfg/svccfg/lib/build"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// An Applied is what svccfg applied to one object, as [Differ.Diff] can
// check it without a dry run: the hash of the configuration it sent
// ([ConfigHash]) and the hash of the fields it came to own ([ManagedHash]
// of the object the cluster returned).
//
// An object whose configuration is the one last applied, and whose fields
// svccfg owns are exactly those it owned after that apply, is unchanged:
// applying it again would change nothing. Any change of one of those
// fields by another manager takes the field from svccfg, which changes
// its managed fields; a change of the configuration changes its hash.
type Applied struct {
	Config, Managed string
}

// hashLen is the number of bytes of SHA-256 kept in the hashes.
const hashLen = 12

func shortHash(parts ...[]byte) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
		h.Write([]byte{0})
	}
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:hashLen])
}

// ConfigHash returns the hash of obj's configuration, its JSON.
func ConfigHash(obj build.Object) (string, error) {
	body, err := obj.JSON()
	if err != nil {
		return "", err
	}
	return shortHash(body), nil
}

// ManagedHash returns the hash of the fields that [FieldManager] owns in u
// through apply (its managedFields entry of the object itself, not a
// subresource), or "" if it owns none.
func ManagedHash(u *unstructured.Unstructured) string {
	if u == nil {
		return ""
	}
	for _, m := range u.GetManagedFields() {
		if m.Manager == FieldManager && m.Operation == "Apply" && m.Subresource == "" && m.FieldsV1 != nil {
			return shortHash([]byte(m.APIVersion), m.FieldsV1.GetRawBytes())
		}
	}
	return ""
}
