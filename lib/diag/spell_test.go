package diag

import "testing"

func TestNearest(t *testing.T) {
	candidates := []string{"name", "owner", "image", "replicas", "cpu", "mem", "block_egress"}
	for _, test := range []struct{ x, want string }{
		{"replica", "replicas"},
		{"Replicas", "replicas"},
		{"imgae", "image"},
		{"block_egres", "block_egress"},
		{"memory", "mem"},
		{"zzz", ""},
		{"cpus", "cpu"},
		{"nmae", "name"},   // a swap is one edit, so name is nearer than image
		{"cup", "cpu"},     // even in a short word
		{"onwre", "owner"}, // two swaps
		{"mme", "mem"},
	} {
		if got := Nearest(test.x, candidates); got != test.want {
			t.Errorf("Nearest(%q) = %q, want %q", test.x, got, test.want)
		}
	}
}
