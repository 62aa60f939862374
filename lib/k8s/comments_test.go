package k8s_test

import (
	"strings"
	"testing"

	"github.com/svccfg/svccfg/lib/k8s"
	"google.golang.org/protobuf/reflect/protoreflect"
)

func TestComments(t *testing.T) {
	c := k8s.Comments()
	for name, want := range map[protoreflect.FullName]string{
		"k8s.io.api.apps.v1.DeploymentSpec":          "DeploymentSpec is the specification of the desired behavior of the Deployment.",
		"k8s.io.api.apps.v1.DeploymentSpec.replicas": "Number of desired pods. This is a pointer to distinguish between explicit\nzero and not specified. Defaults to 1.",
	} {
		if got := c[name]; got != want {
			t.Errorf("Comments()[%s] = %q, want %q", name, got, want)
		}
	}
	// Every comment documents a type or field of the descriptors, and no
	// code generator marker is left.
	files := k8s.Files()
	for name, text := range c {
		if _, err := files.FindDescriptorByName(name); err != nil {
			t.Errorf("comment on %s, which is not in the descriptors", name)
		}
		for line := range strings.Lines(text) {
			if strings.HasPrefix(strings.TrimSpace(line), "+") {
				t.Errorf("comment on %s keeps a marker line %q", name, line)
			}
		}
	}
	if len(c) < 5000 {
		t.Errorf("len(Comments()) = %d, want the comments of every Kubernetes type (more than 5000)", len(c))
	}
}
