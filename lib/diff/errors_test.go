package diff

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"syscall"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

var deployments = schema.GroupResource{Group: "apps", Resource: "deployments"}

func TestClassify(t *testing.T) {
	refused := &url.Error{Op: "Get", URL: "https://127.0.0.1:1/api", Err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}}
	for _, test := range []struct {
		name      string
		err       error
		want      Class
		transient bool
	}{
		{"refused", refused, Network, true},
		{"eof", &url.Error{Op: "Get", URL: "u", Err: io.EOF}, Network, true},
		{"deadline", &url.Error{Op: "Get", URL: "u", Err: context.DeadlineExceeded}, Timeout, false},
		{"retried", fmt.Errorf("%w (retried until the deadline)", refused), Network, true},
		{"unauthorized", apierrors.NewUnauthorized("no"), Auth, false},
		{"forbidden", apierrors.NewForbidden(deployments, "x", errors.New("no")), Auth, false},
		{"invalid", apierrors.NewInvalid(schema.GroupKind{Group: "apps", Kind: "Deployment"}, "x", nil), Validation, false},
		{"bad request", apierrors.NewBadRequest("no"), Validation, false},
		{"conflict", apierrors.NewConflict(deployments, "x", errors.New("no")), Conflict, false},
		{"server timeout", apierrors.NewServerTimeout(deployments, "get", 1), Timeout, true},
		{"timeout", apierrors.NewTimeoutError("slow", 1), Timeout, true},
		{"throttled", apierrors.NewTooManyRequests("slow down", 1), Timeout, true},
		{"internal", apierrors.NewInternalError(errors.New("etcd")), Network, true},
		{"unavailable", apierrors.NewServiceUnavailable("etcd"), Network, true},
		{"schema", &apierrors.StatusError{ErrStatus: metav1.Status{
			Status: metav1.StatusFailure, Code: 500, Reason: metav1.StatusReasonInternalError,
			Message: "failed to create typed patch object (ns/db; /v1, Kind=Secret): .futureField: field not declared in schema",
		}}, Validation, false},
	} {
		t.Run(test.name, func(t *testing.T) {
			if got := classify(test.err); got != test.want {
				t.Errorf("classify(%v) = %s, want %s", test.err, got, test.want)
			}
			if got := transient(test.err); got != test.transient {
				t.Errorf("transient(%v) = %v, want %v", test.err, got, test.transient)
			}
		})
	}
}

func TestErrorMessage(t *testing.T) {
	invalid := apierrors.NewInvalid(schema.GroupKind{Group: "apps", Kind: "Deployment"}, "bad", field.ErrorList{
		field.Invalid(field.NewPath("spec", "replicas"), -1, "must be greater than or equal to 0"),
		field.Required(field.NewPath("spec", "selector"), ""),
	})
	for _, test := range []struct {
		err  *Error
		want string
	}{
		{&Error{Class: Validation, Object: "apps/v1/Deployment/ns/bad", Err: invalid},
			"diff: validation: apps/v1/Deployment/ns/bad: invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0; spec.selector: Required value"},
		{&Error{Class: Network, Err: errors.New("one\n  two")}, "diff: network: one two"},
		{&Error{Class: Auth, Object: "v1/Secret/ns/s", Err: &apierrors.StatusError{ErrStatus: metav1.Status{Message: "Unauthorized"}}},
			"diff: auth: v1/Secret/ns/s: Unauthorized"},
	} {
		if got := test.err.Error(); got != test.want {
			t.Errorf("Error() = %q, want %q", got, test.want)
		}
	}
}

func TestRetry(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	t.Run("succeeds after transient errors", func(t *testing.T) {
		n := 0
		err := retry(t.Context(), func() error {
			if n++; n < 3 {
				return refused
			}
			return nil
		})
		if err != nil || n != 3 {
			t.Errorf("retry = %v after %d calls, want nil after 3", err, n)
		}
	})
	t.Run("stops at a permanent error", func(t *testing.T) {
		n := 0
		err := retry(t.Context(), func() error { n++; return apierrors.NewBadRequest("no") })
		if !apierrors.IsBadRequest(err) || n != 1 {
			t.Errorf("retry = %v after %d calls, want the BadRequest after 1", err, n)
		}
	})
	t.Run("reports the last transient error at the deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
		defer cancel()
		err := retry(ctx, func() error { return refused })
		if classify(err) != Network || !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("retry = %v (%s), want the connection refused (network)", err, classify(err))
		}
	})
}
