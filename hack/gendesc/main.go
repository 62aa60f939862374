// Command gendesc compiles the generated.proto files that ship inside the
// k8s.io/api and k8s.io/apimachinery modules (at the versions pinned in go.mod)
// into one binary FileDescriptorSet, which lib/k8s embeds, and writes the
// leading comments of their messages, fields and enums to a text file that
// `svccfg doc` shows.
//
// Usage (from the repository root, normally through `make generate`):
//
//	go run ./hack/gendesc -o lib/k8s/descriptors.binpb -comments lib/k8s/comments.txt
//
// The output is deterministic: files are sorted by import path, source code
// info is dropped and the set is marshalled with deterministic field order;
// comments are sorted by the full name of what they document.
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
	"strconv"
	"strings"

	"github.com/bufbuild/protocompile"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
)

// modules are the Go modules whose generated.proto files are compiled.
var modules = []string{"k8s.io/api", "k8s.io/apimachinery"}

func main() {
	out := flag.String("o", "lib/k8s/descriptors.binpb", "output `file`")
	comments := flag.String("comments", "", "also write the comments to `file`")
	flag.Parse()
	if err := run(*out, *comments); err != nil {
		fmt.Fprintln(os.Stderr, "gendesc:", err)
		os.Exit(1)
	}
}

func run(out, comments string) error {
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
		SourceInfoMode: protocompile.SourceInfoStandard,
	}
	compiled, err := c.Compile(context.Background(), files...)
	if err != nil {
		return err
	}
	set := &descriptorpb.FileDescriptorSet{}
	var lines []string
	for _, f := range compiled {
		fdp := protodesc.ToFileDescriptorProto(f)
		fdp.SourceCodeInfo = nil
		set.File = append(set.File, fdp)
		lines = appendComments(lines, f, f.Messages(), f.Enums())
	}
	if comments != "" {
		slices.Sort(lines)
		if err := os.WriteFile(comments, []byte(strings.Join(lines, "")), 0o644); err != nil {
			return err
		}
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

// appendComments appends a line `full.Name "comment"` (the comment quoted as
// a Go string) for each documented message, field, enum and enum value in
// msgs and enums, nested ones included.
func appendComments(lines []string, f protoreflect.FileDescriptor, msgs protoreflect.MessageDescriptors, enums protoreflect.EnumDescriptors) []string {
	add := func(d protoreflect.Descriptor) {
		if c := comment(f.SourceLocations().ByDescriptor(d).LeadingComments); c != "" {
			lines = append(lines, fmt.Sprintf("%s %s\n", d.FullName(), strconv.Quote(c)))
		}
	}
	for i := range enums.Len() {
		e := enums.Get(i)
		add(e)
		for j := range e.Values().Len() {
			add(e.Values().Get(j))
		}
	}
	for i := range msgs.Len() {
		m := msgs.Get(i)
		if m.IsMapEntry() {
			continue
		}
		add(m)
		for j := range m.Fields().Len() {
			add(m.Fields().Get(j))
		}
		lines = appendComments(lines, f, m.Messages(), m.Enums())
	}
	return lines
}

// comment returns a leading comment without its code generator markers
// (lines such as "+optional" or "+listType=atomic") and the space after
// each "//".
func comment(c string) string {
	var keep []string
	for _, line := range strings.Split(c, "\n") {
		line = strings.TrimPrefix(strings.TrimRight(line, " \t"), " ")
		if !strings.HasPrefix(strings.TrimSpace(line), "+") {
			keep = append(keep, line)
		}
	}
	return strings.TrimSpace(strings.Join(keep, "\n"))
}

// moduleDir returns the directory of mod as resolved by the main module's go.mod.
func moduleDir(mod string) (string, error) {
	b, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", mod).Output()
	if err != nil {
		return "", fmt.Errorf("go list -m %s: %w", mod, err)
	}
	return strings.TrimSpace(string(b)), nil
}
