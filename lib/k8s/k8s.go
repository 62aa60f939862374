// Package k8s provides the Kubernetes API as protoreflect-native message
// types, compiled from the generated.proto files that ship inside
// k8s.io/api and k8s.io/apimachinery, and bridges messages of those types
// into the real k8s.io/api Go structs through the protobuf wire format.
//
// k8s.io/api no longer provides protobuf-go messages: its structs only keep
// gogo-style Marshal and Unmarshal methods. Evaluating against descriptors
// built from the same .proto files and unmarshalling the wire bytes into the
// structs gives objects that client-go and Kubernetes' own JSON encoding
// treat exactly like hand-written Go ones.
package k8s

import (
	_ "embed"
	"fmt"
	"sync"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"
)

//go:generate go run ../../hack/gendesc -o descriptors.binpb -comments comments.txt

// descriptorSet is a FileDescriptorSet of every generated.proto file in
// k8s.io/api and k8s.io/apimachinery, at the versions pinned in go.mod.
//
//go:embed descriptors.binpb
var descriptorSet []byte

// Files returns the descriptors of the Kubernetes API.
var Files = sync.OnceValue(func() *protoregistry.Files {
	var set descriptorpb.FileDescriptorSet
	if err := proto.Unmarshal(descriptorSet, &set); err != nil {
		panic(fmt.Sprintf("k8s: embedded descriptor set: %v", err)) // a build defect, caught by tests
	}
	files, err := protodesc.NewFiles(&set)
	if err != nil {
		panic(fmt.Sprintf("k8s: embedded descriptor set: %v", err))
	}
	return files
})

// RegisterTypes registers a dynamic message and enum type for every
// Kubernetes API message and enum in types.
func RegisterTypes(types *protoregistry.Types) error {
	var err error
	Files().RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		err = registerDecls(types, fd.Messages(), fd.Enums())
		return err == nil
	})
	return err
}

func registerDecls(types *protoregistry.Types, msgs protoreflect.MessageDescriptors, enums protoreflect.EnumDescriptors) error {
	for i := range enums.Len() {
		if err := types.RegisterEnum(dynamicpb.NewEnumType(enums.Get(i))); err != nil {
			return err
		}
	}
	for i := range msgs.Len() {
		md := msgs.Get(i)
		if md.IsMapEntry() {
			continue
		}
		if err := types.RegisterMessage(dynamicpb.NewMessageType(md)); err != nil {
			return err
		}
		if err := registerDecls(types, md.Messages(), md.Enums()); err != nil {
			return err
		}
	}
	return nil
}
