// Command gendesc compiles the generated.proto files that ship inside the
// k8s.io/api and k8s.io/apimachinery modules (at the versions pinned in go.mod)
// into one binary FileDescriptorSet, which lib/k8s embeds.
//
// Usage (from the repository root, normally through `make generate`):
//
//	go run ./hack/gendesc -o lib/k8s/descriptors.binpb
//
// The output is deterministic: files are sorted by import path, source code
// info is dropped and the set is marshalled with deterministic field order.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bufbuild/protocompile"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/types/descriptorpb"
)

// modules are the Go modules whose generated.proto files are compiled.
var modules = []string{"k8s.io/api", "k8s.io/apimachinery"}

func main() {
	out := flag.String("o", "lib/k8s/descriptors.binpb", "output `file`")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gendesc:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	roots := map[string]string{} // module path -> directory
	var files []string
	for _, mod := range modules {
		dir, err := moduleDir(mod)
		if err != nil {
			return err
		}
		roots[mod] = dir
		err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || d.Name() != "generated.proto" || strings.Contains(p, "testapigroup") {
				return nil
			}
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			files = append(files, mod+"/"+filepath.ToSlash(rel))
			return nil
		})
		if err != nil {
			return err
		}
	}
	slices.Sort(files)

	c := protocompile.Compiler{
		Resolver: &protocompile.SourceResolver{Accessor: func(name string) (io.ReadCloser, error) {
			for mod, dir := range roots {
				if rest, ok := strings.CutPrefix(name, mod+"/"); ok {
					return os.Open(filepath.Join(dir, filepath.FromSlash(rest)))
				}
			}
			return nil, fmt.Errorf("%s: not in %v", name, modules)
		}},
		SourceInfoMode: protocompile.SourceInfoNone,
	}
	compiled, err := c.Compile(context.Background(), files...)
	if err != nil {
		return err
	}
	set := &descriptorpb.FileDescriptorSet{}
	for _, f := range compiled {
		set.File = append(set.File, protodesc.ToFileDescriptorProto(f))
	}
	slices.SortFunc(set.File, func(a, b *descriptorpb.FileDescriptorProto) int {
		return strings.Compare(a.GetName(), b.GetName())
	})
	data, err := proto.MarshalOptions{Deterministic: true}.Marshal(set)
	if err != nil {
		return err
	}
	return os.WriteFile(out, data, 0o644)
}

// moduleDir returns the directory of mod as resolved by the main module's go.mod.
func moduleDir(mod string) (string, error) {
	b, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", mod).Output()
	if err != nil {
		return "", fmt.Errorf("go list -m %s: %w", mod, err)
	}
	return strings.TrimSpace(string(b)), nil
}
