package diff

import (
	"bytes"
	"reflect"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// A Risk is a consequence of applying a change that a reviewer should see
// at a glance; [Result.WriteTo] tags the change's diff header with it, as
// "[recreate]".
type Risk string

// The risks, in the order they are tagged.
const (
	// Recreate is a change of an immutable field, which the object can
	// take only by being deleted and created again: a workload's
	// spec.selector, a StatefulSet's serviceName, podManagementPolicy or
	// volumeClaimTemplates, a Job's spec.template, a Service's clusterIP or
	// clusterIPs, or a Service's type to or from ExternalName.
	Recreate Risk = "recreate"
	// RestartsPods is a change of a pod template, which rolls out new pods:
	// spec.template of a Deployment, StatefulSet or DaemonSet, or
	// spec.jobTemplate of a CronJob (its next runs).
	RestartsPods Risk = "restarts pods"
	// ShiftsTraffic is a change of a Service's spec.ports or spec.selector.
	ShiftsTraffic Risk = "shifts traffic"
)

// risks returns the risks of changing live into applied, both cleaned
// objects of the same kind, in the order of the constants.
func risks(live, applied *unstructured.Unstructured) []Risk {
	changed := func(path ...string) bool {
		a, _, _ := unstructured.NestedFieldNoCopy(live.Object, path...)
		b, _, _ := unstructured.NestedFieldNoCopy(applied.Object, path...)
		return !reflect.DeepEqual(a, b)
	}
	var recreate, restarts, traffic bool
	gk := applied.GroupVersionKind().GroupKind()
	switch gk.Group + "/" + gk.Kind {
	case "apps/Deployment", "apps/DaemonSet", "apps/ReplicaSet":
		recreate = changed("spec", "selector")
		restarts = gk.Kind != "ReplicaSet" && changed("spec", "template")
	case "apps/StatefulSet":
		recreate = changed("spec", "selector") || changed("spec", "serviceName") ||
			changed("spec", "podManagementPolicy") || changed("spec", "volumeClaimTemplates")
		restarts = changed("spec", "template")
	case "batch/Job":
		recreate = changed("spec", "selector") || changed("spec", "template")
	case "batch/CronJob":
		restarts = changed("spec", "jobTemplate")
	case "/Service":
		liveType, _, _ := unstructured.NestedString(live.Object, "spec", "type")
		appliedType, _, _ := unstructured.NestedString(applied.Object, "spec", "type")
		recreate = changed("spec", "clusterIP") || changed("spec", "clusterIPs") ||
			(liveType == "ExternalName") != (appliedType == "ExternalName")
		traffic = changed("spec", "ports") || changed("spec", "selector")
	}
	var out []Risk
	for _, r := range []struct {
		risk Risk
		ok   bool
	}{{Recreate, recreate}, {RestartsPods, restarts}, {ShiftsTraffic, traffic}} {
		if r.ok {
			out = append(out, r.risk)
		}
	}
	return out
}

// TrackLabel is the label the standard library gives the objects of each
// track of a service; the canary's value is CanaryTrack.
const (
	TrackLabel  = "track"
	CanaryTrack = "canary"
)

// isCanary reports whether u is labelled as the canary track of a service.
func isCanary(u *unstructured.Unstructured) bool {
	return u != nil && u.GetLabels()[TrackLabel] == CanaryTrack
}

// tagHeader appends the tags " [canary]" (when canary is true) and
// " [risk]" for each of rs to the first line of a unified diff (its
// "diff live/... svccfg/..." line).
func tagHeader(d []byte, canary bool, rs []Risk) []byte {
	if len(rs) == 0 && !canary || d == nil {
		return d
	}
	first, rest, _ := bytes.Cut(d, []byte("\n"))
	var b strings.Builder
	b.Write(first)
	if canary {
		b.WriteString(" [" + CanaryTrack + "]")
	}
	for _, r := range rs {
		b.WriteString(" [" + string(r) + "]")
	}
	b.WriteString("\n")
	b.Write(rest)
	return []byte(b.String())
}
