// Package lint is the policy phase of svccfg: it runs rules on the typed
// objects a build produced (the k8s.io/api structs and go-control-plane
// messages that [build.Object.Typed] and [build.Resource.Message] give),
// such as
// "every image is pinned" or "an Envoy route timeout is between 10ms and
// 2m". Each finding points at the line of the configuration that caused it:
// the argument of the service(), cron() or message call when it is written
// there, or else the call.
//
// A finding is silenced for one line by a comment on that line,
//
//	image = "registry.example.com/tool:latest",  # svccfg:ignore image-pinned (a mirror of upstream)
//
// naming one or more rules separated by commas; and rules are turned off
// under a config root by its svccfg.yaml:
//
//	lint:
//	  disable: [dns-label]
//
// [Changed] finds the configuration files that a change to some files
// affects, through the load graph, without evaluating the tree.
package lint
