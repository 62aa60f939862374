package main

import (
	"context"
	"encoding/json"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
)

// namespaces is the resource of Namespace objects.
var namespaces = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}

// fieldManager is the field manager of the dry runs.
const fieldManager = "svccfg-fidelity"

// A DryRunner fills in an object's defaults as the apiserver would on
// creation: server-side apply with dryRun=All, which runs defaulting,
// admission and validation and persists nothing. Only the namespaces the
// objects go into are created for real (on a throw-away cluster).
type DryRunner struct {
	dyn        dynamic.Interface
	mapper     meta.RESTMapper
	namespaces map[string]bool
}

// NewDryRunner connects to the cluster of cfg. The apiserver's warnings
// (such as deprecated fields of the originals) are not printed, and there
// is no client-side rate limit.
func NewDryRunner(cfg *rest.Config) (*DryRunner, error) {
	cfg = rest.CopyConfig(cfg)
	cfg.WarningHandler = rest.NoWarnings{}
	cfg.QPS = -1
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, err
	}
	groups, err := restmapper.GetAPIGroupResources(dc)
	if err != nil {
		return nil, fmt.Errorf("discovering the cluster's resources: %w", err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &DryRunner{dyn: dyn, mapper: restmapper.NewDiscoveryRESTMapper(groups), namespaces: map[string]bool{}}, nil
}

// Default returns obj as the apiserver would store it.
func (d *DryRunner) Default(ctx context.Context, obj map[string]any) (map[string]any, error) {
	u := &unstructured.Unstructured{Object: obj}
	gvk := u.GroupVersionKind()
	m, err := d.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return nil, err
	}
	var client dynamic.ResourceInterface = d.dyn.Resource(m.Resource)
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		if err := d.ensureNamespace(ctx, u.GetNamespace()); err != nil {
			return nil, err
		}
		client = d.dyn.Resource(m.Resource).Namespace(u.GetNamespace())
	}
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	force := true
	out, err := client.Patch(ctx, u.GetName(), types.ApplyPatchType, data, metav1.PatchOptions{
		DryRun: []string{metav1.DryRunAll}, FieldManager: fieldManager, Force: &force,
	})
	if err != nil {
		return nil, fmt.Errorf("dry run of %s: %w", key(obj), err)
	}
	return out.Object, nil
}

// ensureNamespace creates namespace ns unless it exists.
func (d *DryRunner) ensureNamespace(ctx context.Context, ns string) error {
	if d.namespaces[ns] {
		return nil
	}
	nsObj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": ns},
	}}
	_, err := d.dyn.Resource(namespaces).Create(ctx, nsObj, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating namespace %s: %w", ns, err)
	}
	d.namespaces[ns] = true
	return nil
}
