// Package render turns built objects into manifests: a fixed object order,
// the output file layout, writing the output tree, and the explanation of
// where each object comes from (build --explain). Every object and resource
// is encoded by lib/canon from the JSON that lib/build made of it:
// Kubernetes objects as Kubernetes' own JSON marshalling of the k8s.io/api
// structs writes them, so Quantity, IntOrString and Time come out as
// Kubernetes expects, and Envoy resources with their "@type", so that
// protojson's deliberately unstable bytes never reach a manifest.
package render
