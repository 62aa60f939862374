package k8s

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// commentsText holds the leading comments of the Kubernetes messages, fields
// and enums, one `full.Name "comment"` line each (the comment quoted as a Go
// string), written by hack/gendesc from the same .proto files as
// descriptorSet. The descriptors themselves carry no source info, so that
// loading them costs every build nothing for documentation only `svccfg doc`
// shows.
//
//go:embed comments.txt
var commentsText string

// Comments returns the leading comment of every documented Kubernetes
// message, field and enum, by full name ("k8s.io.api.apps.v1.DeploymentSpec",
// "k8s.io.api.apps.v1.DeploymentSpec.replicas"), without code generator
// markers such as "+optional".
var Comments = sync.OnceValue(func() map[protoreflect.FullName]string {
	m := make(map[protoreflect.FullName]string)
	for line := range strings.Lines(commentsText) {
		name, quoted, ok := strings.Cut(strings.TrimSuffix(line, "\n"), " ")
		c, err := strconv.Unquote(quoted)
		if !ok || err != nil {
			panic(fmt.Sprintf("k8s: embedded comments: bad line %q", line)) // a build defect, caught by tests
		}
		m[protoreflect.FullName(name)] = c
	}
	return m
})
