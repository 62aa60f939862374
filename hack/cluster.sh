#!/usr/bin/env bash
# cluster.sh: a real, throw-away Kubernetes control plane (etcd and
# kube-apiserver; with --controllers also kube-controller-manager,
# kube-scheduler and kwok) on 127.0.0.1, for svccfg's real-cluster tests.
#
# The binaries are built from source through the Go module proxy; no Docker,
# no prebuilt downloads. `build` generates a small wrapper module that requires
# k8s.io/kubernetes@$K8S_VERSION and replaces every k8s.io staging module
# (k8s.io/api, k8s.io/client-go, ...) with its published v0.x tag: that is what
# k8s.io/kubernetes' own `replace ... => ./staging/...` lines stand for. etcd is
# built in the same module from go.etcd.io/etcd/server/v3/etcdmain, at the
# version that kube-apiserver itself requires. Without --controllers there
# are no controllers, no scheduler and no kubelet: server-side apply dry runs
# need only the apiserver. With them, Deployments roll out: kwok plays the
# kubelet of one fake node, and no container ever runs.
#
# Usage: hack/cluster.sh COMMAND [ARGS]
#   build [--controllers]  build etcd, kube-apiserver and kubectl into the cache
#                          dir (see SVCCFG_CLUSTER_CACHE); a no-op when they are
#                          already there. About 10 minutes cold on 2 cores.
#                          --controllers also builds kube-controller-manager,
#                          kube-scheduler and kwok (see hack/kwok-stages.yaml).
#   up [--controllers] [STATE_DIR]
#                          start etcd and kube-apiserver on free loopback ports
#                          with TLS, write STATE_DIR/kubeconfig, wait for
#                          /readyz. The last line on stdout is the kubeconfig
#                          path. STATE_DIR defaults to a new temporary dir.
#                          --controllers also starts the controller-manager,
#                          the scheduler and kwok with a fake node kwok-node-0,
#                          so that Deployments roll out: pods labelled or
#                          annotated svccfg.dev/test-stage=never-ready (or with
#                          an image containing bad-release) run but never get
#                          Ready; an annotation svccfg.dev/test-ready-after=20s
#                          delays readiness; every other pod is Ready at once.
#   down [STATE_DIR] [--purge]
#                          stop the processes `up` started (and nothing else);
#                          --purge also deletes STATE_DIR.
#   status [STATE_DIR]     show each process and /readyz; exit 1 unless healthy.
#   env [STATE_DIR]        print `export KEY=value` lines: KUBECONFIG,
#                          SVCCFG_CLUSTER_STATE, SVCCFG_CLUSTER_BIN (where
#                          kubectl is), the API and etcd URLs, the CA file,
#                          and bearer tokens of an admin and of a user without
#                          any permissions.
#   wait [STATE_DIR]       wait for /readyz again (after a gameday action).
#   Gamedays, COMPONENT is etcd or apiserver (same ports, data and certs):
#   kill COMPONENT [STATE_DIR]     SIGKILL it (a crash)
#   stop COMPONENT [STATE_DIR]     SIGTERM it and wait until it has exited
#   start COMPONENT [STATE_DIR]    start it again, without waiting for it
#   freeze COMPONENT [STATE_DIR]   SIGSTOP it (hung, not crashed)
#   thaw COMPONENT [STATE_DIR]     SIGCONT it
#   (`watch STATE_DIR PID` is the watchdog that `up` starts; see below.)
#
# Environment:
#   SVCCFG_CLUSTER_CACHE   where `build` puts the binaries and `up` finds them
#                          (default ${XDG_CACHE_HOME:-~/.cache}/svccfg/k8s-$K8S_VERSION);
#                          kept between runs, never inside the repository
#   SVCCFG_CLUSTER_STATE   default STATE_DIR for every command but build
#   SVCCFG_CLUSTER_FORCE_BUILD=1   rebuild even when the binaries are up to date
#   SVCCFG_CLUSTER_READY_TIMEOUT   seconds `up` and `wait` wait for /readyz (default 120)
#   SVCCFG_CLUSTER_WATCH_PID       at `up`: run `down` when this process exits,
#                          so that a crashed test binary does not leak a cluster
#
# Requires go, openssl, curl, setsid, and python3 or ss (to find free ports).
set -euo pipefail

# The control plane matches the k8s.io/api, apimachinery and client-go
# version in go.mod (v0.37.2 is the library side of Kubernetes v1.37.2).
readonly K8S_VERSION=v1.37.2
# kwok, which plays the kubelet for `up --controllers`. It is built in a module
# of its own, with exactly the dependencies of its release (client-go v0.36.1,
# one minor behind the apiserver, inside the supported skew), so that its
# requirements do not raise any in the control plane's module.
readonly KWOK_VERSION=v0.8.0

SCRIPT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")
CACHE=${SVCCFG_CLUSTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/svccfg/k8s-$K8S_VERSION}
READY_TIMEOUT=${SVCCFG_CLUSTER_READY_TIMEOUT:-120}
COMPONENTS=(etcd apiserver controller-manager scheduler kwok) # in start order

log() { printf '[cluster.sh %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------------------
# build
# ---------------------------------------------------------------------------

# The binaries `build` produces: the control plane, and what `up --controllers`
# adds to it. Each has a stamp, CACHE/.stamp.NAME, that says which recipe
# built it: a change to any part of it rebuilds that binary.
BASE_TOOLS=(etcd kube-apiserver kubectl)
ROLLOUT_TOOLS=(kube-controller-manager kube-scheduler kwok)
TOOLS=("${BASE_TOOLS[@]}")
# The rollout tools are built only when asked for (build --controllers, or
# SVCCFG_CLUSTER_CONTROLLERS=1): the diff tests need none of them.
if [[ ${SVCCFG_CLUSTER_CONTROLLERS:-0} == 1 ]]; then TOOLS+=("${ROLLOUT_TOOLS[@]}"); fi
tool_stamp() { # tool_stamp NAME GOVERSION
  local s="k8s=$K8S_VERSION go=$2 recipe=1"
  [[ $1 != kwok ]] || s="kwok=$KWOK_VERSION $s"
  echo "$s"
}
# The single stamp of older versions of this script, which share the cache
# dir (other checkouts, other branches): kept valid so that they do not
# rebuild what is there.
legacy_stamp() { echo "k8s=$K8S_VERSION go=$1 tools=${BASE_TOOLS[*]} recipe=1"; }

# tool_fresh CACHE NAME GOVERSION: whether CACHE/NAME is built by this recipe.
tool_fresh() {
  local cache=$1 t=$2 gov=$3
  [[ -x $cache/$t ]] || return 1
  if [[ -f $cache/.stamp.$t ]]; then
    [[ $(<"$cache/.stamp.$t") == "$(tool_stamp "$t" "$gov")" ]]
    return
  fi
  # built by an older version of this script
  [[ " ${BASE_TOOLS[*]} " == *" $t "* && -f $cache/.stamp && $(<"$cache/.stamp") == "$(legacy_stamp "$gov")" ]]
}

cmd_build() {
  if [[ ${1:-} == --controllers ]]; then TOOLS=("${BASE_TOOLS[@]}" "${ROLLOUT_TOOLS[@]}"); fi
  mkdir -p "$CACHE"
  local cache; cache=$(cd "$CACHE" && pwd)
  local gov; gov=$(go env GOVERSION)
  local t todo=() k8s=() kwok=0
  for t in "${TOOLS[@]}"; do
    if [[ ${SVCCFG_CLUSTER_FORCE_BUILD:-0} == 1 ]] || ! tool_fresh "$cache" "$t" "$gov"; then todo+=("$t"); fi
  done
  if ((${#todo[@]} == 0)); then log "binaries up to date in $cache"; return 0; fi
  for t in "${todo[@]}"; do if [[ $t == kwok ]]; then kwok=1; else k8s+=("$t"); fi; done

  # Stamp the version as the upstream build does (hack/lib/version.sh);
  # otherwise /version says v0.0.0-master. No -trimpath, and CGO_ENABLED as
  # go env has it, so that compiled packages (client-go, apimachinery, ...)
  # share the build cache with the project's own `go test`. nice: the build
  # takes both cores for minutes.
  local t0=$SECONDS
  if ((${#k8s[@]} > 0)); then
    # The wrapper module lives in the cache too, so that rebuilds reuse its go.sum.
    local src=$cache/src
    mkdir -p "$src/cmd/etcd"
    write_wrapper_module "$src"
    if [[ ! -f $src/go.sum ]]; then
      log "resolving modules (the first time downloads about 150 MB from the module proxy)"
      (cd "$src" && go mod tidy)
    fi
    log "modules ready after $((SECONDS - t0))s"
    local minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
    local ld="-s -w" p pkgs=()
    for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
      ld+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor"
      ld+=" -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
    done
    for t in "${k8s[@]}"; do
      if [[ $t == etcd ]]; then pkgs+=(./cmd/etcd); else pkgs+=("k8s.io/kubernetes/cmd/$t"); fi
    done
    # One go build for all of them: the packages they share compile once,
    # and the two cores stay busy while one binary links.
    build_into "$cache" "$src" "$ld" "${pkgs[@]}"
    for t in "${k8s[@]}"; do tool_stamp "$t" "$gov" > "$cache/.stamp.$t"; done
    local ok=1
    for t in "${BASE_TOOLS[@]}"; do tool_fresh "$cache" "$t" "$gov" || ok=0; done
    [[ $ok == 0 ]] || legacy_stamp "$gov" > "$cache/.stamp"
  fi
  if [[ $kwok == 1 ]]; then
    # A module that requires only kwok: its build list is kwok's own go.mod.
    local ksrc=$cache/src-kwok
    mkdir -p "$ksrc"
    printf '%s\n' "// Code generated by hack/cluster.sh; DO NOT EDIT." "module svccfg-kwok" "" \
      "go 1.26.0" "" "require sigs.k8s.io/kwok $KWOK_VERSION" "" "tool sigs.k8s.io/kwok/cmd/kwok" > "$ksrc/go.mod.new"
    if ! cmp -s "$ksrc/go.mod.new" "$ksrc/go.mod.gen" 2> /dev/null; then
      cp "$ksrc/go.mod.new" "$ksrc/go.mod"
      mv "$ksrc/go.mod.new" "$ksrc/go.mod.gen"
      rm -f "$ksrc/go.sum"
    fi
    rm -f "$ksrc/go.mod.new"
    if [[ ! -f $ksrc/go.sum ]]; then
      log "resolving kwok's modules"
      (cd "$ksrc" && go mod tidy)
    fi
    build_into "$cache" "$ksrc" "-s -w" sigs.k8s.io/kwok/cmd/kwok
    tool_stamp kwok "$gov" > "$cache/.stamp.kwok"
  fi
  log "built ${todo[*]} in $((SECONDS - t0))s into $cache"
}

# build_into CACHE SRC LDFLAGS PKG...: go build PKG... in module SRC, and move
# the binaries into CACHE (each at once, so that no half-written one is seen).
build_into() {
  local cache=$1 src=$2 ld=$3 t1=$SECONDS b; shift 3
  local out=$cache/.build
  rm -rf "$out"
  mkdir -p "$out"
  log "building $* (nice)"
  (cd "$src" && nice -n 10 go build -ldflags="$ld" -o "$out/" "$@")
  for b in "$out"/*; do mv -f "$b" "$cache/"; done
  rmdir "$out"
  log "built $* in $((SECONDS - t1))s"
}

# write_wrapper_module DIR: the go.mod and etcd main of the wrapper module.
write_wrapper_module() {
  local src=$1
  # k8s.io/kubernetes' own go.mod lists its staging modules and its go line.
  # (Downloading it also fetches the source zip, which the build needs anyway.)
  local gomod
  gomod=$(cd "$src" && GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@$K8S_VERSION" |
    sed -n 's/^\s*"GoMod": "\(.*\)",\?$/\1/p')
  [[ -f $gomod ]] || die "could not fetch the go.mod of k8s.io/kubernetes@$K8S_VERSION"
  local goline; goline=$(sed -n 's/^go \(.*\)$/\1/p' "$gomod")
  local staging=v0.${K8S_VERSION#v1.} # v1.37.2 -> v0.37.2
  {
    echo "// Code generated by hack/cluster.sh; DO NOT EDIT."
    echo "module svccfg-k8s-cluster"
    echo
    echo "go $goline"
    echo
    echo "require k8s.io/kubernetes $K8S_VERSION"
    echo
    echo "// k8s.io/kubernetes replaces these with ./staging/src/...; use the published tags."
    echo "replace ("
    grep -E '^\s*k8s\.io/[^ ]+ => \./staging/' "$gomod" | awk -v v="$staging" '{print "\t" $1 " => " $1 " " v}'
    echo ")"
    echo
    echo "tool ("
    echo "	k8s.io/kubernetes/cmd/kube-apiserver"
    echo "	k8s.io/kubernetes/cmd/kube-controller-manager"
    echo "	k8s.io/kubernetes/cmd/kube-scheduler"
    echo "	k8s.io/kubernetes/cmd/kubectl"
    echo ")"
  } > "$src/go.mod.new"
  # Keep go.mod and go.sum when nothing changed, so `go mod tidy` is skipped.
  if ! cmp -s "$src/go.mod.new" "$src/go.mod.gen" 2> /dev/null; then
    cp "$src/go.mod.new" "$src/go.mod"
    mv "$src/go.mod.new" "$src/go.mod.gen"
    rm -f "$src/go.sum"
  fi
  rm -f "$src/go.mod.new"
  cat > "$src/cmd/etcd/main.go" <<'EOF'
// Command etcd is the stock etcd server, built from the module proxy.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
EOF
}

# ---------------------------------------------------------------------------
# process management: every process is started from STATE_DIR/NAME.cmd, logs
# to NAME.log and has its pid in NAME.pid; only those pids are ever signalled.
# ---------------------------------------------------------------------------

# state_dir [DIR]: the absolute path of an existing state dir.
state_dir() {
  local d=${1:-${SVCCFG_CLUSTER_STATE:-}}
  [[ -n $d ]] || die "no STATE_DIR (give it as an argument or in SVCCFG_CLUSTER_STATE)"
  [[ -d $d ]] || die "no such state dir: $d"
  (cd "$d" && pwd)
}

# proc_state PID: the state letter of process PID (R, S, T for stopped,
# Z for zombie, ...), or nothing if there is no such process.
proc_state() {
  local stat
  stat=$(cat "/proc/$1/stat" 2> /dev/null) || return 0
  stat=${stat##*) } # the fields after "pid (command) "
  echo "${stat%% *}"
}

# running PID: whether process PID is alive. A zombie is not: our processes
# outlive `up`, and once they exit, init may take its time to reap them.
running() {
  local st; st=$(proc_state "$1")
  [[ -n $st && $st != Z ]]
}

# pid_of DIR NAME: the pid in DIR/NAME.pid if that process is alive and is the
# one we started (its argv contains DIR; guards against pid reuse), else "".
pid_of() {
  local dir=$1 name=$2 pid
  [[ -f $dir/$name.pid ]] || return 0
  pid=$(<"$dir/$name.pid")
  [[ $pid =~ ^[0-9]+$ ]] && running "$pid" || return 0
  tr '\0' ' ' < "/proc/$pid/cmdline" 2> /dev/null | grep -qF -- "$dir" || return 0
  echo "$pid"
}

# launch DIR NAME: start the command in DIR/NAME.cmd (one argument a line).
launch() {
  local dir=$1 name=$2 pid
  [[ -f $dir/$name.cmd ]] || die "no $dir/$name.cmd (was the cluster started with up?)"
  pid=$(pid_of "$dir" "$name")
  [[ -z $pid ]] || die "$name is already running (pid $pid)"
  local -a argv; mapfile -t argv < "$dir/$name.cmd"
  echo "=== start $(date -u +%FT%T.%3NZ) ===" >> "$dir/$name.log"
  # setsid gives it its own session, so a ^C or SIGHUP meant for the caller
  # does not reach it. The background job execs setsid, which execs the
  # binary, so $! is the binary's pid.
  setsid "${argv[@]}" >> "$dir/$name.log" 2>&1 < /dev/null &
  echo $! > "$dir/$name.pid"
}

# signal_stop DIR SIG NAME...: send SIG to each named process at once, wait
# up to 15s for them to exit, SIGKILL what is left, and remove the pid files.
signal_stop() {
  local dir=$1 sig=$2 name pid deadline; shift 2
  local -A pids=()
  for name in "$@"; do
    pid=$(pid_of "$dir" "$name")
    if [[ -z $pid ]]; then rm -f "$dir/$name.pid"; continue; fi
    kill "-$sig" "$pid" 2>/dev/null || true
    # a frozen process only acts on SIGTERM once it runs again
    [[ $sig == KILL ]] || kill -CONT "$pid" 2>/dev/null || true
    pids[$name]=$pid
  done
  deadline=$((SECONDS + 15))
  for name in "${!pids[@]}"; do
    pid=${pids[$name]}
    while running "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
    if running "$pid"; then
      log "$name (pid $pid) still running 15s after SIG$sig; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      while running "$pid"; do sleep 0.1; done
    fi
    rm -f "$dir/$name.pid"
    echo "=== stopped by SIG$sig $(date -u +%FT%T.%3NZ) ===" >> "$dir/$name.log"
  done
}

# free_ports N: N currently free TCP ports on 127.0.0.1.
free_ports() {
  if command -v python3 > /dev/null; then
    python3 - "$1" <<'EOF'
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
  else # random high ports that ss does not show in use
    local out=() p
    while ((${#out[@]} < $1)); do
      p=$((20000 + RANDOM % 30000))
      ss -Htan "sport = :$p" | grep -q . || [[ " ${out[*]} " == *" $p "* ]] || out+=("$p")
    done
    echo "${out[*]}"
  fi
}

# readyz DIR: one probe of /readyz as the admin; prints the body and fails
# unless it is "ok".
readyz() {
  local dir=$1 body
  body=$(curl -sS --max-time 5 --cacert "$dir/pki/ca.crt" --cert "$dir/pki/admin.crt" \
    --key "$dir/pki/admin.key" "https://127.0.0.1:$(<"$dir/apiserver.port")/readyz" 2>&1) || {
    echo "$body"
    return 1
  }
  echo "$body"
  [[ $body == ok ]]
}

wait_ready() {
  local dir=$1 t0=$SECONDS last=""
  while ((SECONDS - t0 < READY_TIMEOUT)); do
    if last=$(readyz "$dir"); then return 0; fi
    if [[ -z $(pid_of "$dir" apiserver) ]]; then
      tail -n 5 "$dir/apiserver.log" >&2
      die "kube-apiserver is not running (log: $dir/apiserver.log)"
    fi
    sleep 0.25
  done
  tail -n 5 "$dir/apiserver.log" >&2
  die "kube-apiserver not ready after ${READY_TIMEOUT}s; last /readyz: ${last:0:300}"
}

# ---------------------------------------------------------------------------
# up
# ---------------------------------------------------------------------------

# gen_pki DIR: a CA, the apiserver's serving cert, the admin's client cert,
# the service-account signing key pair and two static bearer tokens.
gen_pki() {
  local pki=$1/pki
  mkdir -p "$pki"
  chmod 700 "$pki"
  (
    cd "$pki"
    exec 2>> openssl.log > /dev/null
    local ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
    openssl req -x509 "${ec[@]}" -days 3650 -keyout ca.key -out ca.crt -subj "/CN=svccfg-test-ca"
    sign() { # sign NAME SUBJECT EXTENSIONS...
      local name=$1 subj=$2; shift 2
      openssl req "${ec[@]}" -keyout "$name.key" -out "$name.csr" -subj "$subj"
      printf '%s\n' "$@" > "$name.ext"
      openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
        -extfile "$name.ext" -out "$name.crt"
    }
    sign apiserver /CN=kube-apiserver "extendedKeyUsage=serverAuth" \
      "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc"
    # O= is the group: system:masters is allowed everything.
    sign admin "/CN=admin/O=system:masters" "extendedKeyUsage=clientAuth"
    # The apiserver insists on a service-account token signing key.
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out sa.key
    openssl pkey -in sa.key -pubout -out sa.pub
    # Bearer tokens: an admin, and a user with no permissions (for 403 tests).
    printf '%s,admin,uid-admin,"system:masters"\n%s,nobody,uid-nobody\n' \
      "$(openssl rand -hex 16)" "$(openssl rand -hex 16)" > tokens.csv
  )
}

cmd_up() {
  local controllers=0 a args=()
  for a in "$@"; do if [[ $a == --controllers ]]; then controllers=1; else args+=("$a"); fi; done
  set -- "${args[@]}"
  local t0=$EPOCHREALTIME
  local etcd=$CACHE/etcd apiserver=$CACHE/kube-apiserver
  [[ -x $etcd && -x $apiserver ]] || die "no binaries in $CACHE; run: $SCRIPT build"
  if [[ $controllers == 1 ]]; then
    local t
    for t in "${ROLLOUT_TOOLS[@]}"; do
      [[ -x $CACHE/$t ]] || die "no $t in $CACHE; run: $SCRIPT build --controllers"
    done
  fi
  local dir=${1:-${SVCCFG_CLUSTER_STATE:-}}
  if [[ -z $dir ]]; then dir=$(mktemp -d "${TMPDIR:-/tmp}/svccfg-cluster.XXXXXX"); fi
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  local c
  for c in "${COMPONENTS[@]}"; do
    [[ -z $(pid_of "$dir" "$c") ]] || die "$c is already running from $dir; run: $SCRIPT down $dir"
  done
  log "state dir: $dir"

  local ports; read -r -a ports <<< "$(free_ports 3)"
  local etcd_port=${ports[0]} peer_port=${ports[1]} api_port=${ports[2]}
  echo "$etcd_port" > "$dir/etcd.port"
  echo "$api_port" > "$dir/apiserver.port"
  [[ -f $dir/pki/ca.crt ]] || gen_pki "$dir"
  local pki=$dir/pki

  if [[ -n ${SVCCFG_CLUSTER_WATCH_PID:-} ]]; then
    # Started first, so that it also cleans up after an `up` that fails. All
    # its fds go to /dev/null: a caller reading our stdout sees EOF when we exit.
    setsid "$SCRIPT" watch "$dir" "$SVCCFG_CLUSTER_WATCH_PID" < /dev/null > /dev/null 2>&1 &
    echo $! > "$dir/watchdog.pid"
  fi

  # etcd: one member, loopback only, no fsync (the data is thrown away).
  printf '%s\n' "$etcd" --name=default --data-dir="$dir/etcd-data" \
    --listen-client-urls="http://127.0.0.1:$etcd_port" \
    --advertise-client-urls="http://127.0.0.1:$etcd_port" \
    --listen-peer-urls="http://127.0.0.1:$peer_port" \
    --initial-advertise-peer-urls="http://127.0.0.1:$peer_port" \
    --initial-cluster="default=http://127.0.0.1:$peer_port" \
    --unsafe-no-fsync --log-level=warn > "$dir/etcd.cmd"
  launch "$dir" etcd
  local deadline=$((SECONDS + READY_TIMEOUT))
  until curl -sf --max-time 2 "http://127.0.0.1:$etcd_port/health" 2> /dev/null | grep -q '"health":"true"'; do
    if [[ -z $(pid_of "$dir" etcd) ]]; then
      tail -n 20 "$dir/etcd.log" >&2
      die "etcd exited (log: $dir/etcd.log)"
    fi
    ((SECONDS < deadline)) || die "etcd not healthy after ${READY_TIMEOUT}s (log: $dir/etcd.log)"
    sleep 0.1
  done
  log "etcd healthy on 127.0.0.1:$etcd_port"

  # kube-apiserver: TLS with client certs and tokens, RBAC.
  #   --endpoint-reconciler-type=none: the "kubernetes" Service's endpoint
  #     would be 127.0.0.1, which Endpoints validation rejects as loopback.
  #   ServiceAccount admission off: without kube-controller-manager there is
  #     no "default" ServiceAccount, and Pods could not be created at all.
  printf '%s\n' "$apiserver" \
    --etcd-servers="http://127.0.0.1:$etcd_port" \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$api_port" \
    --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" \
    --client-ca-file="$pki/ca.crt" --token-auth-file="$pki/tokens.csv" \
    --authorization-mode=RBAC \
    --service-account-issuer=https://kubernetes.default.svc \
    --service-account-key-file="$pki/sa.pub" --service-account-signing-key-file="$pki/sa.key" \
    --service-cluster-ip-range=10.96.0.0/16 \
    --endpoint-reconciler-type=none \
    --disable-admission-plugins=ServiceAccount \
    --profiling=false --v=1 > "$dir/apiserver.cmd"
  launch "$dir" apiserver

  write_kubeconfig "$dir" "$api_port"
  write_env "$dir" "$api_port" "$etcd_port"
  wait_ready "$dir"
  log "kube-apiserver ready on https://127.0.0.1:$api_port"

  [[ $controllers == 0 ]] || up_controllers "$dir"
  log "up in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')s; for a shell: eval \$($SCRIPT env $dir)"
  echo "$dir/kubeconfig"
}

# up_controllers DIR: kube-controller-manager, kube-scheduler and kwok with a
# fake node, all on 127.0.0.1 only (serving ports disabled or loopback).
up_controllers() {
  local dir=$1 pki=$1/pki kc=$1/kubeconfig
  local kport; kport=$(free_ports 1)
  printf '%s\n' "$CACHE/kube-controller-manager" --kubeconfig="$kc" \
    --bind-address=127.0.0.1 --secure-port=0 --leader-elect=false \
    --controllers=deployment-controller,replicaset-controller,job-controller,cronjob-controller,horizontal-pod-autoscaler-controller,serviceaccount-controller,serviceaccount-token-controller,garbage-collector-controller,namespace-controller,endpointslice-controller,node-lifecycle-controller \
    --service-account-private-key-file="$pki/sa.key" --root-ca-file="$pki/ca.crt" \
    --use-service-account-credentials=false --v=1 > "$dir/controller-manager.cmd"
  printf '%s\n' "$CACHE/kube-scheduler" --kubeconfig="$kc" \
    --bind-address=127.0.0.1 --secure-port=0 --leader-elect=false --v=1 > "$dir/scheduler.cmd"
  printf '%s\n' "$CACHE/kwok" --kubeconfig="$kc" --config="$(dirname "$SCRIPT")/kwok-stages.yaml" \
    --manage-all-nodes=false --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
    --cidr=198.51.100.0/24 --node-ip=198.51.100.1 --server-address="127.0.0.1:$kport" > "$dir/kwok.cmd"
  local c
  for c in controller-manager scheduler kwok; do launch "$dir" "$c"; done
  printf '%s\n' '{"apiVersion":"v1","kind":"Node","metadata":{"name":"kwok-node-0","annotations":{"kwok.x-k8s.io/node":"fake"},"labels":{"type":"kwok","kubernetes.io/hostname":"kwok-node-0"}},"status":{"allocatable":{"cpu":"1000","memory":"1Ti","pods":"1000"},"capacity":{"cpu":"1000","memory":"1Ti","pods":"1000"}}}' |
    "$CACHE/kubectl" --kubeconfig="$kc" apply -f - > /dev/null
  log "controller-manager, scheduler and kwok started; node kwok-node-0"
}

# write_kubeconfig DIR PORT: DIR/kubeconfig for the admin.
write_kubeconfig() {
  local dir=$1 port=$2
  cat > "$dir/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: svccfg-test
  cluster:
    server: https://127.0.0.1:$port
    certificate-authority-data: $(base64 -w0 < "$dir/pki/ca.crt")
users:
- name: admin
  user:
    client-certificate-data: $(base64 -w0 < "$dir/pki/admin.crt")
    client-key-data: $(base64 -w0 < "$dir/pki/admin.key")
contexts:
- name: svccfg-test
  context: {cluster: svccfg-test, user: admin}
current-context: svccfg-test
EOF
  chmod 600 "$dir/kubeconfig"
}

# write_env DIR API_PORT ETCD_PORT: DIR/env, printed by `env`.
write_env() {
  local dir=$1 tokens=$1/pki/tokens.csv
  cat > "$dir/env" <<EOF
export KUBECONFIG=$dir/kubeconfig
export SVCCFG_CLUSTER_STATE=$dir
export SVCCFG_CLUSTER_BIN=$CACHE
export SVCCFG_CLUSTER_API_URL=https://127.0.0.1:$2
export SVCCFG_CLUSTER_ETCD_URL=http://127.0.0.1:$3
export SVCCFG_CLUSTER_CA_FILE=$dir/pki/ca.crt
export SVCCFG_CLUSTER_ADMIN_TOKEN=$(awk -F, '$2 == "admin" { print $1 }' "$tokens")
export SVCCFG_CLUSTER_NOBODY_TOKEN=$(awk -F, '$2 == "nobody" { print $1 }' "$tokens")
EOF
}

# ---------------------------------------------------------------------------
# down, status and the gameday commands
# ---------------------------------------------------------------------------
cmd_down() {
  local purge=0 args=() a
  for a in "$@"; do if [[ $a == --purge ]]; then purge=1; else args+=("$a"); fi; done
  local dir; dir=$(state_dir "${args[0]:-}")
  # The apiserver first, so that it does not retry a vanished etcd while it
  # shuts down.
  signal_stop "$dir" TERM kwok scheduler controller-manager
  signal_stop "$dir" TERM apiserver
  signal_stop "$dir" TERM etcd
  local w; w=$(watchdog_of "$dir")
  [[ -z $w ]] || kill "$w" 2> /dev/null || true
  rm -f "$dir/watchdog.pid"
  log "stopped the cluster in $dir"
  if [[ $purge == 1 ]]; then
    rm -rf "$dir"
    log "removed $dir"
  fi
}

# cmd_watch DIR PID (started by up): the watchdog, which runs `down DIR`
# once process PID has exited, unless the cluster went first.
cmd_watch() {
  local dir=$1 pid=$2
  while kill -0 "$pid" 2> /dev/null; do
    [[ -f $dir/watchdog.pid ]] || exit 0
    sleep 1
  done
  exec "$SCRIPT" down "$dir"
}

# watchdog_of DIR: the pid of DIR's watchdog if it is running, else "".
watchdog_of() {
  local dir=$1 pid
  [[ -f $dir/watchdog.pid ]] || return 0
  pid=$(<"$dir/watchdog.pid")
  [[ $pid =~ ^[0-9]+$ ]] && running "$pid" || return 0
  tr '\0' ' ' < "/proc/$pid/cmdline" 2> /dev/null | grep -qF -- "$SCRIPT watch $dir " || return 0
  echo "$pid"
}

cmd_status() {
  local dir c pid rz rc=0; dir=$(state_dir "${1:-}")
  for c in "${COMPONENTS[@]}"; do
    [[ -f $dir/$c.cmd ]] || continue
    pid=$(pid_of "$dir" "$c")
    if [[ -z $pid ]]; then
      echo "$c: not running"
      rc=1
    elif [[ $(proc_state "$pid") == T ]]; then
      echo "$c: frozen pid=$pid"
      rc=1
    else
      echo "$c: running pid=$pid rss=$(awk '/VmRSS/ { print $2 $3 }' "/proc/$pid/status")"
    fi
  done
  rz=$(readyz "$dir") || rc=1
  echo "readyz: ${rz:0:300}"
  return $rc
}

# cmd_gameday ACTION COMPONENT [STATE_DIR]
cmd_gameday() {
  local action=$1 c=${2:-} dir pid
  [[ " ${COMPONENTS[*]} " == *" $c "* ]] || die "$action: the component must be one of: ${COMPONENTS[*]}"
  dir=$(state_dir "${3:-}")
  case $action in
    kill) signal_stop "$dir" KILL "$c" ;;
    stop) signal_stop "$dir" TERM "$c" ;;
    start) launch "$dir" "$c" ;;
    freeze | thaw)
      pid=$(pid_of "$dir" "$c")
      [[ -n $pid ]] || die "$c is not running"
      if [[ $action == freeze ]]; then kill -STOP "$pid"; else kill -CONT "$pid"; fi
      ;;
  esac
  log "$action $c: done"
}

usage() {
  sed -n '2,/^set -euo/p' "$SCRIPT" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
}

main() {
  local cmd=${1:-} dir
  shift || true
  case $cmd in
    build) cmd_build "$@" ;;
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    status) cmd_status "$@" ;;
    # assigned first: a failing $(...) inside an argument would not stop set -e
    env)
      dir=$(state_dir "${1:-}")
      cat "$dir/env"
      ;;
    wait)
      dir=$(state_dir "${1:-}")
      wait_ready "$dir"
      ;;
    kill | stop | start | freeze | thaw) cmd_gameday "$cmd" "$@" ;;
    watch) cmd_watch "$@" ;;
    help | -h | --help) usage ;;
    *) usage ;;
  esac
}
# One line, so that bash reads no further should this file change while it runs.
main "$@"; exit
