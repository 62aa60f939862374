package history

import (
	"encoding/json"
	"fmt"

	"github.com/svccfg/svccfg/lib/build"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Target returns the revision a rollback applies: revision to, or, when to
// is 0, the latest applied revision before the current (the last) one.
func Target(revs []Revision, to int) (Revision, error) {
	if to > 0 {
		for _, r := range revs {
			if r.Number == to {
				return r, nil
			}
		}
		return Revision{}, fmt.Errorf("no revision %d (svccfg history lists them)", to)
	}
	for i := len(revs) - 2; i >= 0; i-- {
		if revs[i].Outcome == Applied {
			return revs[i], nil
		}
	}
	return Revision{}, fmt.Errorf("no applied revision before the current one to roll back to")
}

// BuildObjects returns the revision's objects, as the build would have
// made them (without their config positions).
func (r Revision) BuildObjects() ([]build.Object, error) {
	var objs []build.Object
	for _, data := range r.Objects {
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Metadata   struct{ Name, Namespace string }
		}
		if err := json.Unmarshal(data, &head); err != nil {
			return nil, fmt.Errorf("revision %d: %w", r.Number, err)
		}
		gv, err := schema.ParseGroupVersion(head.APIVersion)
		if err != nil {
			return nil, fmt.Errorf("revision %d: %w", r.Number, err)
		}
		id := build.ID{Group: gv.Group, Version: gv.Version, Kind: head.Kind, Namespace: head.Metadata.Namespace, Name: head.Metadata.Name}
		objs = append(objs, build.Object{ID: id}.WithJSON(data))
	}
	return objs, nil
}
