# svccfg: see README.md. `make check` is what CI runs.

GO        ?= go
BIN       := bin/svccfg
EXAMPLES  := $(sort $(wildcard examples/*/))

.PHONY: all build examples test startest golden generate docs lint fmt-check tidy determinism check e2e clean bench fuzz fidelity

all: build

build:
	$(GO) build -o $(BIN) ./cmd/svccfg

# Build svccfg and print the manifests of every example.
examples: build
	$(BIN) build $(EXAMPLES)

test:
	$(GO) test -race ./...

# The Starlark tests (test_*(t) functions) of the standard library and the
# examples. go test runs the standard library's too.
startest: build
	$(BIN) test stdlib/testdata $(EXAMPLES)

# Rewrite goldens (golden/, testscript expectations); review the diff like code.
golden:
	SVCCFG_UPDATE=1 $(GO) test ./...

# Regenerate lib/k8s/descriptors.binpb from the k8s.io .proto files pinned in go.mod.
generate:
	$(GO) generate ./...

# Regenerate docs/reference.md from the standard library's docstrings.
docs: build
	$(BIN) doc --format markdown > docs/reference.md.tmp && mv docs/reference.md.tmp docs/reference.md

# Static checks, and svccfg lint of every example (the examples follow the
# policy rules they teach).
lint: build fmt-check
	$(BIN) lint $(EXAMPLES)
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo 'gofmt: the files above need formatting'; exit 1; }
	$(GO) vet ./...
	$(GO) tool -modfile=tools.mod staticcheck ./...

# Starlark files are laid out as svccfg fmt lays them out, except the
# configuration of examples/stripe-service, which is the talk's call exactly
# as the talk shows it (its prelude and test are checked).
FMT_PATHS := $(filter-out examples/stripe-service/,$(EXAMPLES)) examples/stripe-service/stripe.star examples/stripe-service/main_test.star stdlib e2e/testdata
fmt-check: build
	@$(BIN) fmt --check $(FMT_PATHS) || { echo 'svccfg fmt: the files above need formatting: run $(BIN) fmt -w $(FMT_PATHS)'; exit 1; }

tidy:
	$(GO) mod tidy -diff

# The build output is a pure function of its inputs: goldens, generated
# code and docs are up to date, and two builds from different directories agree.
determinism: build docs
	SVCCFG_UPDATE=1 $(GO) test ./cmd/svccfg/...
	$(GO) generate ./...
	@test -z "$$(git status --porcelain -- golden cmd lib docs)" || { git status --porcelain -- golden cmd lib docs; echo 'stale goldens, generated files or docs: run make golden / make generate / make docs and commit'; exit 1; }
	@tmp=$$(mktemp -d) && \
	  $(BIN) build -o $$tmp/a $(EXAMPLES) && \
	  (cd examples && ../$(BIN) build -o $$tmp/b $(patsubst examples/%,%,$(EXAMPLES))) && \
	  (cd / && $(CURDIR)/$(BIN) build -o $$tmp/c $(addprefix $(CURDIR)/,$(EXAMPLES))) && \
	  diff -r $$tmp/a $$tmp/b && diff -r $$tmp/a $$tmp/c && rm -rf $$tmp && echo 'determinism: identical output from three directories'

# Everything: static checks, unit and CLI tests, goldens and determinism,
# and the real-cluster tests.
check: lint tidy test startest determinism e2e

# Real-cluster tests: build etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, kubectl and kwok from the Go module proxy (about 15 minutes
# the first time, then cached outside the repository), then run the tests,
# each of which starts and stops its own control plane on 127.0.0.1 with
# hack/cluster.sh.
e2e:
	hack/cluster.sh build --controllers
	SVCCFG_E2E=1 $(GO) test -count=1 ./e2e/... ./hack/fidelity

clean:
	rm -rf bin

# Run each fuzz target for FUZZTIME (seed corpora under each package's
# testdata/fuzz/; go test runs those alone). Not part of make check.
FUZZTIME ?= 60s
fuzz:
	$(GO) test -run='^$$' -fuzz='^FuzzEval$$' -fuzztime=$(FUZZTIME) ./lib/eval
	$(GO) test -run='^$$' -fuzz='^FuzzVars$$' -fuzztime=$(FUZZTIME) ./cmd/svccfg
	$(GO) test -run='^$$' -fuzz='^FuzzFormat$$' -fuzztime=$(FUZZTIME) ./lib/format
	$(GO) test -run='^$$' -fuzz='^FuzzBuild$$' -fuzztime=$(FUZZTIME) ./lib/build

# Time svccfg build (the stream, -o into a fresh directory, warm, --cache) on
# 1,000, 10,000 and 30,000 generated services, side by side with the floor of
# plain Starlark dicts (bench/plain), skycfg v0.4.0 (bench/skycfg) and the
# filesystem's floor of -o (bench/fsfloor), median of BENCH_BUILD_RUNS
# interleaved runs; writes bench/results/<commit>.md.
BENCH_N          ?= 1000,10000,30000
BENCH_BUILD_RUNS ?= 3
BENCH_RUNS       ?= 5
# svccfg diff beside kubectl diff --server-side against a real kube-apiserver
# (hack/cluster.sh); writes bench/results/<commit>-diff.md. 0 skips it.
BENCH_DIFF_N    ?= 1000
BENCH_DIFF_RUNS ?= 3
# svccfg apply (create, no change, a 5% change) beside kubectl apply
# --server-side, a fresh cluster per run and tool; writes
# bench/results/<commit>-apply.md. 0 skips it.
BENCH_APPLY_N    ?= 1000
BENCH_APPLY_RUNS ?= 3
# svccfg xds serve's lib/xds: a change reaching every one of BENCH_XDS_CLIENTS
# ADS clients of a mesh of BENCH_XDS_N services, and the server's memory;
# writes bench/results/<commit>-xds.md. 0 skips it.
BENCH_XDS_N       ?= 10000
BENCH_XDS_CLIENTS ?= 100
# svccfg lint --changed of one file, of a shared library and the whole tree
# of BENCH_LINT_N generated services; writes bench/results/<commit>-lint.md.
BENCH_LINT_N ?= 10000
# svccfg lsp's diagnostics after a one-file change in a tree of 10,000
# generated services, BENCH_LSP_N changes a run, BENCH_RUNS runs, and its
# references of a function every file calls, BENCH_LSP_REFS a run; writes the
# benchmarks' output, as benchstat reads it, to bench/results/<commit>-lsp.txt.
BENCH_LSP_N ?= 40
BENCH_LSP_REFS ?= 5
bench: build
	$(GO) build -o bin/plain ./bench/plain
	$(GO) build -o bin/skycfg ./bench/skycfg
	$(GO) build -o bin/fsfloor ./bench/fsfloor
	$(GO) run ./bench/run -n $(BENCH_N) -runs $(BENCH_BUILD_RUNS)
	$(GO) run ./bench/lintrun -n $(BENCH_LINT_N) -runs $(BENCH_RUNS)
	$(GO) run ./bench/diffrun -n $(BENCH_DIFF_N) -runs $(BENCH_DIFF_RUNS)
	$(GO) run ./bench/applyrun -n $(BENCH_APPLY_N) -runs $(BENCH_APPLY_RUNS)
	$(GO) run ./bench/xdsrun -n $(BENCH_XDS_N) -clients $(BENCH_XDS_CLIENTS) -runs $(BENCH_RUNS)
	$(GO) test -run '^$$' -bench DiagnoseChange -benchtime $(BENCH_LSP_N)x -count $(BENCH_RUNS) ./bench/lspbench > bench/results/$$(git describe --always --dirty --abbrev=7)-lsp.txt
	$(GO) test -run '^$$' -bench References -benchtime $(BENCH_LSP_REFS)x -count $(BENCH_RUNS) ./bench/lspbench >> bench/results/$$(git describe --always --dirty --abbrev=7)-lsp.txt
	cat bench/results/$$(git describe --always --dirty --abbrev=7)-lsp.txt

# How much of public applications' own manifests their ports in examples/
# reproduce, field by field, after a server-side dry run of both sides
# against a throw-away cluster (hack/fidelity/README.md). The originals go
# to FIDELITY_SRC, outside the repository; FIDELITY_CLUSTER=0 compares them
# as written, without a cluster. Not part of make check: it fetches them.
FIDELITY_SRC     ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/svccfg/fidelity
FIDELITY_CLUSTER ?= 1
fidelity:
	hack/fidelity/sources.sh $(FIDELITY_SRC)
ifeq ($(FIDELITY_CLUSTER),1)
	hack/cluster.sh build
	@state=$$(mktemp -d) && kc=$$(hack/cluster.sh up $$state | tail -n 1) && \
	  { $(GO) run ./hack/fidelity -src $(FIDELITY_SRC) -kubeconfig $$kc; rc=$$?; hack/cluster.sh down $$state --purge; exit $$rc; }
else
	$(GO) run ./hack/fidelity -src $(FIDELITY_SRC)
endif
