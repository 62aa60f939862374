package apply

import (
	"errors"
	"strings"
	"testing"

	"github.com/svccfg/svccfg/lib/build"
	"github.com/svccfg/svccfg/lib/diag"
	"github.com/svccfg/svccfg/lib/diff"
)

func TestOrder(t *testing.T) {
	var objs []build.Object
	for _, k := range []string{"Deployment", "Service", "Secret", "CustomResourceDefinition", "ServiceAccount", "Namespace", "ConfigMap", "PodDisruptionBudget"} {
		objs = append(objs, build.Object{ID: build.ID{Kind: k, Name: "x"}})
	}
	var got []string
	for _, o := range Order(objs) {
		got = append(got, o.Kind)
	}
	want := "Namespace CustomResourceDefinition ServiceAccount Secret ConfigMap PodDisruptionBudget Service Deployment"
	if strings.Join(got, " ") != want {
		t.Errorf("Order: got %v, want %s", got, want)
	}
}

func TestRejectedError(t *testing.T) {
	obj := build.Object{ID: build.ID{Group: "apps", Version: "v1", Kind: "Deployment", Namespace: "ns", Name: "web"}}
	obj.Source.Pos = diag.Position{File: "main.star", Line: 3, Col: 5}
	r := &Rejected{{Class: diff.Validation, Object: obj, Err: errors.New("invalid: spec.replicas: must be\n  positive")}}
	if got, want := r.Error(), "main.star:3:5: apply: validation: Deployment ns/web: invalid: spec.replicas: must be positive"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if !rejectable((*r)[0]) || rejectable(&Error{Class: diff.Network, Object: obj, Err: errors.New("x")}) {
		t.Error("rejectable: validation should be, network not")
	}
}
