package diff

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
)

// A Class says what kind of failure an [Error] is.
type Class string

// The classes of failure.
const (
	// Kubeconfig is a kubeconfig that is missing, unreadable or invalid.
	Kubeconfig Class = "kubeconfig"
	// Network is a cluster that cannot be reached: connection refused or
	// reset, DNS failures, unexpected EOF, or server errors (5xx).
	Network Class = "network"
	// Auth is a request that the cluster did not authenticate or authorize,
	// or a TLS handshake that failed.
	Auth Class = "auth"
	// Validation is an object the cluster rejected: invalid fields, a bad
	// request, a kind it does not serve, or a missing namespace.
	Validation Class = "validation"
	// Conflict is a conflict with the object's state in the cluster.
	Conflict Class = "conflict"
	// Timeout is a deadline that passed, on the client or the server, or a
	// server that kept throttling requests (429).
	Timeout Class = "timeout"
)

// An Error is a failure to reach or use the cluster.
type Error struct {
	Class Class
	// Object names the object concerned, as group/version/Kind/namespace/name,
	// or is empty when the failure concerns no one object (discovery).
	Object string
	Err    error
}

// Error returns "diff: class: object: message", on one line.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "diff: %s: ", e.Class)
	if e.Object != "" {
		b.WriteString(e.Object + ": ")
	}
	b.WriteString(strings.Join(strings.Fields(message(e.Err)), " "))
	return b.String()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// message returns err's text, with the invalid fields of an Invalid error
// listed from its status causes.
func message(err error) string {
	var status apierrors.APIStatus
	if !errors.As(err, &status) || !apierrors.IsInvalid(err) {
		return err.Error()
	}
	details := status.Status().Details
	if details == nil || len(details.Causes) == 0 {
		return err.Error()
	}
	var causes []string
	for _, c := range details.Causes {
		if c.Field != "" {
			causes = append(causes, c.Field+": "+c.Message)
		} else {
			causes = append(causes, c.Message)
		}
	}
	return "invalid: " + strings.Join(causes, "; ")
}

// classify returns the class of a failed request's error.
func classify(err error) Class {
	switch {
	case errors.Is(err, context.DeadlineExceeded), apierrors.IsTimeout(err),
		apierrors.IsServerTimeout(err), apierrors.IsTooManyRequests(err):
		return Timeout
	case apierrors.IsUnauthorized(err), apierrors.IsForbidden(err), isTLS(err):
		return Auth
	case apierrors.IsInvalid(err), apierrors.IsBadRequest(err), meta.IsNoMatchError(err), isSchemaError(err),
		apierrors.IsNotFound(err), apierrors.IsMethodNotSupported(err), apierrors.IsNotAcceptable(err),
		apierrors.IsUnsupportedMediaType(err), apierrors.IsRequestEntityTooLargeError(err):
		return Validation
	case apierrors.IsConflict(err), apierrors.IsAlreadyExists(err):
		return Conflict
	}
	var nerr net.Error
	if errors.As(err, &nerr) && nerr.Timeout() {
		return Timeout
	}
	return Network
}

// typedPatchFailure is how the apiserver words the failure of a server-side
// apply whose configuration does not fit the object's schema (a field it
// does not know, a value of the wrong type), which it answers with a 500.
const typedPatchFailure = "failed to create typed patch object"

// isSchemaError reports whether err is a server-side apply rejected for
// not fitting the schema: an error of the configuration, not of the server,
// which sending it again cannot cure.
func isSchemaError(err error) bool {
	var status apierrors.APIStatus
	return errors.As(err, &status) && status.Status().Code == 500 && strings.Contains(status.Status().Message, typedPatchFailure)
}

// isTLS reports whether err is a failed TLS handshake or certificate check.
func isTLS(err error) bool {
	var (
		unknown   x509.UnknownAuthorityError
		invalid   x509.CertificateInvalidError
		hostname  x509.HostnameError
		alert     tls.AlertError
		verifyErr *tls.CertificateVerificationError
	)
	return errors.As(err, &unknown) || errors.As(err, &invalid) || errors.As(err, &hostname) ||
		errors.As(err, &alert) || errors.As(err, &verifyErr)
}

// transient reports whether a request that failed with err may succeed if
// sent again: network errors, 429 and 5xx responses.
func transient(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return false
	}
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		code := status.Status().Code
		return code == 429 || code >= 500 && !isSchemaError(err)
	}
	var (
		nerr net.Error
		op   *net.OpError
	)
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.As(err, &op) || errors.As(err, &nerr) && !isTLS(err)
}

// Backoff between attempts of a request.
const (
	firstBackoff = 100 * time.Millisecond
	maxBackoff   = 2 * time.Second
)

// retry calls f until it succeeds, fails with an error that is not
// transient, or ctx is done. When ctx ends the retries, the error is that
// of the last attempt that did not fail for that reason.
func retry(ctx context.Context, f func() error) error {
	var last error
	wait := firstBackoff
	for {
		err := f()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil && last != nil {
			return fmt.Errorf("%w (retried until the deadline)", last)
		}
		if !transient(err) {
			return err
		}
		last = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (retried until the deadline)", last)
		case <-time.After(wait):
		}
		wait = min(2*wait, maxBackoff)
	}
}

// Classify returns the class of a failed request's error, as [Error]
// reports it.
func Classify(err error) Class { return classify(err) }

// Message returns err's text on one line, with the invalid fields of an
// Invalid error listed from its status causes.
func Message(err error) string { return strings.Join(strings.Fields(message(err)), " ") }

// Retry calls f until it succeeds, fails with an error that is not
// transient (network errors, 429 and 5xx responses are), or ctx is done.
func Retry(ctx context.Context, f func() error) error { return retry(ctx, f) }
