package rollout

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
)

// TestCompute checks kstatus's verdicts and the guard against the status
// of an earlier generation, or none, of an object applied a moment ago.
func TestCompute(t *testing.T) {
	for _, test := range []struct {
		name   string
		dep    *appsv1.Deployment
		gen    int64 // the generation the apply returned
		want   Status
		substr string
	}{
		{name: "ready", dep: deployment(3), want: Current},
		{name: "ready, applied at this generation", dep: deployment(3), gen: 2, want: Current},
		{
			name: "just created, no status",
			dep:  func() *appsv1.Deployment { d := deployment(3); d.Status = appsv1.DeploymentStatus{}; return d }(),
			want: InProgress, substr: "no status yet",
		},
		{
			name: "just created with no replicas, no status",
			dep:  func() *appsv1.Deployment { d := deployment(0); d.Status = appsv1.DeploymentStatus{}; return d }(),
			want: InProgress, substr: "no status yet",
		},
		{
			name: "changed, status of the previous generation",
			dep:  func() *appsv1.Deployment { d := deployment(3); d.Generation = 3; return d }(),
			want: InProgress, substr: "observe generation 3 (status is of generation 2)",
		},
		{
			name: "a read from before the apply",
			dep:  deployment(3), gen: 3,
			want: InProgress, substr: "generation 3 not yet visible",
		},
		{name: "pods not ready", dep: notReady(deployment(3), 1), want: InProgress, substr: "Available: 1/3"},
		{name: "past its progress deadline", dep: pastDeadline(deployment(3)), want: Failed},
	} {
		t.Run(test.name, func(t *testing.T) {
			st, msg := compute(toUnstructured(t, test.dep), test.gen)
			if st != test.want || !strings.Contains(msg, test.substr) {
				t.Errorf("compute = %s, %q; want %s, containing %q", st, msg, test.want, test.substr)
			}
		})
	}
}
