#!/usr/bin/env bash
# sources.sh: put the original manifests of the applications that
# hack/fidelity compares into DIR/<app>/, each as its repository has them at
# the pinned commit (`go run ./hack/fidelity -sources` lists them). They are
# other people's files: they stay outside the repository.
#
# Usage: hack/fidelity/sources.sh DIR [APP=GIT_DIR ...]
#   An app whose DIR/<app> already exists is left as it is. APP=GIT_DIR
#   reads the app from a local clone (bare or not) that has the commit,
#   instead of fetching it from GitHub.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

dir=${1:?usage: hack/fidelity/sources.sh DIR [APP=GIT_DIR ...]}
shift
declare -A local_git=()
for a in "$@"; do local_git[${a%%=*}]=${a#*=}; done
mkdir -p "$dir"

go run ./hack/fidelity -sources | while read -r name url commit paths; do
  if [[ -d $dir/$name ]]; then
    echo "sources.sh: $dir/$name exists" >&2
    continue
  fi
  git_dir=${local_git[$name]:-}
  tmp=
  if [[ -z $git_dir ]]; then
    tmp=$(mktemp -d)
    git init --quiet --bare "$tmp"
    echo "sources.sh: fetching $name ($url at $commit)" >&2
    git --git-dir="$tmp" fetch --quiet --depth 1 "$url" "$commit"
    git_dir=$tmp
  fi
  mkdir -p "$dir/$name.tmp"
  # shellcheck disable=SC2086 # paths is a list
  git --git-dir="$git_dir" archive "$commit" -- $paths | tar -x -C "$dir/$name.tmp"
  mv "$dir/$name.tmp" "$dir/$name"
  [[ -n $tmp ]] && rm -rf "$tmp"
  echo "sources.sh: $dir/$name: $paths at $commit" >&2
done
