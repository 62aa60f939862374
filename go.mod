module github.com/svccfg/svccfg

// Direct dependencies are pinned to exact versions and chosen so that the
// output is Kubernetes' and Envoy's own, never a re-implementation:
//
//   k8s.io/api, apimachinery, client-go v0.37.2: the Kubernetes API, its .proto
//     files (compiled by hack/gendesc) and JSON encoding; the same minor version
//     as the kube-apiserver the tests run against.
//   github.com/envoyproxy/go-control-plane/envoy: Envoy v3 xDS types, with the
//     generated ValidateAll that every emitted resource must pass.
//   go.starlark.net: the Starlark interpreter (step limits, cancellation).
//   github.com/stripe/skycfg v0.4.0: the config-language conventions and its
//     Starlark modules (struct, json, yaml, hash, url); the benchmark's
//     reference builds through its Load/Main and proto module. svccfg's own
//     lib/starproto replaces that proto module: skycfg's re-validated whole
//     subtrees on every assignment, so building nested messages cost depth ×
//     size.
//   gopkg.in/yaml.v2 v2.2.8: the YAML of skycfg's yaml module, at the version
//     skycfg v0.4.0 requires, so that yaml.decode reads what skycfg reads.
//   google.golang.org/protobuf: protoreflect, dynamicpb, protojson (Envoy only).
//   github.com/bufbuild/protocompile: compiles k8s .proto files in `make generate`
//     without a protoc binary.
//   github.com/spf13/cobra: the CLI.
//   github.com/sourcegraph/jsonrpc2 v0.2.3: JSON-RPC 2.0 and the LSP's
//     Content-Length framing for svccfg lsp; small, no dependencies, and used
//     by many Go language servers (go.lsp.dev/jsonrpc2 pulls in zap and
//     segmentio/encoding for the same).
//   sigs.k8s.io/yaml: reads svccfg.yaml; it and go.yaml.in/yaml/v2 v2.4.4 (in
//     tests) are YAML as Kubernetes writes it, which lib/render's own encoder
//     must match byte for byte.
//   github.com/rogpeppe/go-internal: testscript and diff for tests; its diff
//     also shows long values that differ in `svccfg test` failures.
//   github.com/robfig/cron/v3: parses CronJob schedules for svccfg lint, as the
//     kube-apiserver's own validation does with the same parser.
//   github.com/fluxcd/cli-utils v1.3.0: kstatus (pkg/kstatus/status only),
//     the readiness rules of Flux and kpt, behind lib/rollout, so that when a
//     workload counts as ready is the ecosystem's rule, not our own. Chosen
//     over sigs.k8s.io/cli-utils v0.37.2 because it tracks k8s.io v0.37 and
//     raises only indirect dependencies a little, where the latter is built
//     on k8s.io v0.30 and would raise gopkg.in/yaml.v2 past skycfg's v2.2.8.
//   github.com/bazelbuild/buildtools: buildifier's formatter (package build),
//     behind svccfg fmt, so that the layout is buildifier's, not our own; it
//     has no tagged Go module versions, so the pin is a pseudo-version.
//   github.com/envoyproxy/go-control-plane v0.14.0 (root module): the xDS
//     server and snapshot cache behind svccfg xds serve, the reference
//     control-plane library; it builds against the envoy module above.
//   google.golang.org/grpc v1.84.0: the ADS server's transport, and grpc-go's
//     xDS client, a real and independent Envoy-protocol client in the tests;
//     the highest version the graph already required.
//   golang.org/x/sys: setns(2) in the mesh e2e test, which runs backends in a
//     network namespace of its own; already in the graph.
//   google.golang.org/genproto/googleapis/rpc: the status of a NACK in the
//     xDS tests; already in the graph.
//   github.com/go-logr/logr: only logr.Discard, to silence client-go's klog
//     output (svccfg reports each error itself); already in the graph.

go 1.26.0

require (
	github.com/bazelbuild/buildtools v0.0.0-20260904073137-eaa4d125b423
	github.com/bufbuild/protocompile v0.14.1
	github.com/envoyproxy/go-control-plane v0.14.0
	github.com/envoyproxy/go-control-plane/envoy v1.40.0
	github.com/fluxcd/cli-utils v1.3.0
	github.com/go-logr/logr v1.4.4
	github.com/google/go-cmp v0.7.0
	github.com/robfig/cron/v3 v3.0.1
	github.com/rogpeppe/go-internal v1.16.0
	github.com/sourcegraph/jsonrpc2 v0.2.3
	github.com/spf13/cobra v1.10.2
	github.com/stripe/skycfg v0.4.0
	go.starlark.net v0.0.0-20260908191801-89a6a09411d5
	go.yaml.in/yaml/v2 v2.4.4
	go.yaml.in/yaml/v3 v3.0.5
	golang.org/x/sys v0.47.0
	golang.org/x/term v0.45.0
	google.golang.org/genproto/googleapis/rpc v0.0.0-20260720211330-0afa2a65878a
	google.golang.org/grpc v1.84.0
	google.golang.org/protobuf v1.36.12
	gopkg.in/yaml.v2 v2.2.8
	k8s.io/api v0.37.2
	k8s.io/apimachinery v0.37.2
	k8s.io/client-go v0.37.2
	k8s.io/klog/v2 v2.140.0
	k8s.io/utils v0.0.0-20260707023825-cf1189d6abe3
	sigs.k8s.io/yaml v1.6.0
)

require (
	cel.dev/expr v0.25.2 // indirect
	cloud.google.com/go/auth v0.20.0 // indirect
	cloud.google.com/go/compute/metadata v0.9.0 // indirect
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/cncf/xds/go v0.0.0-20260202195803-dba9d589def2 // indirect
	github.com/davecgh/go-spew v1.1.2-0.20180830191138-d8f796af33cc // indirect
	github.com/emicklei/go-restful/v3 v3.13.0 // indirect
	github.com/envoyproxy/go-control-plane/ratelimit v0.1.0 // indirect
	github.com/envoyproxy/protoc-gen-validate v1.3.3 // indirect
	github.com/felixge/httpsnoop v1.1.0 // indirect
	github.com/fxamacker/cbor/v2 v2.9.3 // indirect
	github.com/go-jose/go-jose/v4 v4.1.4 // indirect
	github.com/go-logr/stdr v1.2.2 // indirect
	github.com/go-openapi/jsonpointer v1.0.0 // indirect
	github.com/go-openapi/jsonreference v1.0.1 // indirect
	github.com/go-openapi/swag v0.29.1 // indirect
	github.com/go-openapi/swag/cmdutils v0.29.1 // indirect
	github.com/go-openapi/swag/conv v0.29.1 // indirect
	github.com/go-openapi/swag/fileutils v0.29.1 // indirect
	github.com/go-openapi/swag/jsonutils v0.29.1 // indirect
	github.com/go-openapi/swag/loading v0.29.1 // indirect
	github.com/go-openapi/swag/mangling v0.29.1 // indirect
	github.com/go-openapi/swag/netutils v0.29.1 // indirect
	github.com/go-openapi/swag/pools v0.29.1 // indirect
	github.com/go-openapi/swag/stringutils v0.29.1 // indirect
	github.com/go-openapi/swag/typeutils v0.29.1 // indirect
	github.com/go-openapi/swag/yamlutils v0.29.1 // indirect
	github.com/google/gnostic-models v0.7.1 // indirect
	github.com/google/s2a-go v0.1.9 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/googleapis/enterprise-certificate-proxy v0.3.15 // indirect
	github.com/googleapis/gax-go/v2 v2.22.0 // indirect
	github.com/inconshreveable/mousetrap v1.1.0 // indirect
	github.com/json-iterator/go v1.1.12 // indirect
	github.com/modern-go/concurrent v0.0.0-20180306012644-bacd9c7ef1dd // indirect
	github.com/modern-go/reflect2 v1.0.3-0.20250322232337-35a7c28c31ee // indirect
	github.com/munnerz/goautoneg v0.0.0-20191010083416-a7dc8b61c822 // indirect
	github.com/planetscale/vtprotobuf v0.6.1-0.20240319094008-0393e58bdf10 // indirect
	github.com/pmezard/go-difflib v1.0.1-0.20181226105442-5d4384ee4fb2 // indirect
	github.com/spaolacci/murmur3 v1.1.0 // indirect
	github.com/spf13/pflag v1.0.10 // indirect
	github.com/spiffe/go-spiffe/v2 v2.8.1 // indirect
	github.com/x448/float16 v0.8.4 // indirect
	go.opentelemetry.io/auto/sdk v1.2.1 // indirect
	go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp v0.69.0 // indirect
	go.opentelemetry.io/otel v1.44.0 // indirect
	go.opentelemetry.io/otel/metric v1.44.0 // indirect
	go.opentelemetry.io/otel/trace v1.44.0 // indirect
	golang.org/x/crypto v0.55.0 // indirect
	golang.org/x/net v0.58.0 // indirect
	golang.org/x/oauth2 v0.36.0 // indirect
	golang.org/x/sync v0.22.0 // indirect
	golang.org/x/text v0.41.0 // indirect
	golang.org/x/time v0.15.0 // indirect
	golang.org/x/tools v0.48.0 // indirect
	google.golang.org/api v0.278.0 // indirect
	google.golang.org/genproto/googleapis/api v0.0.0-20260720211330-0afa2a65878a // indirect
	gopkg.in/evanphx/json-patch.v4 v4.13.0 // indirect
	gopkg.in/inf.v0 v0.9.1 // indirect
	k8s.io/kube-openapi v0.0.0-20260821135717-be32def86098 // indirect
	sigs.k8s.io/json v0.0.0-20250730193827-2d320260d730 // indirect
	sigs.k8s.io/randfill v1.0.0 // indirect
	sigs.k8s.io/structured-merge-diff/v6 v6.4.2 // indirect
)
