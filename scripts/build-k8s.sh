#!/bin/bash
# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
#
# Build Kubernetes (two adjacent minors) and etcd from their published Go modules into the controller cache
#   ${CAAS_CACHE_DIR:-/var/cache/ondemand-caas}/k8s/vX.Y.Z/bin/   .../etcd/vX.Y.Z/bin/
# through the ondemand.caas.k8s_artifact module (the same code path as the k8s_artifacts role). Each entry is
# reused when its inputs are unchanged (seconds); a cold build takes ~15-25 min per Kubernetes version on 2 cores.
# Needs: Go >= 1.26 (etcd 3.5.35's go.mod says go 1.26.0; Kubernetes 1.33/1.34 need 1.24), the Go module proxy,
# ansible-core (ANSIBLE=/path/to/venv/bin/ansible when not on PATH). Override: CAAS_K8S_BUILD_VERSIONS="v1.34.4 v1.33.13", CAAS_ETCD_VERSION=v3.5.35, ANSIBLE=ansible.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VERSIONS="${CAAS_K8S_BUILD_VERSIONS:-v1.34.4 v1.33.13}"
ETCD_VERSION="${CAAS_ETCD_VERSION:-v3.5.35}"
ANSIBLE="${ANSIBLE:-ansible}"
command -v "$ANSIBLE" >/dev/null 2>&1 || { echo "build-k8s: '$ANSIBLE' not found; set ANSIBLE=/path/to/bin/ansible" >&2; exit 1; }
# run the module with the Python that has ansible-core (a venv's python when ansible comes from one)
PYTHON="$(dirname "$(command -v "$ANSIBLE")")/python"
[ -x "$PYTHON" ] || PYTHON="$(command -v python3)"
export ANSIBLE_PYTHON_INTERPRETER="$PYTHON"

# make the collection importable as ondemand.caas without installing it
PYROOT="$ROOT/.build/pyroot"
if [ ! -e "$PYROOT/ansible_collections/ondemand/caas" ]; then
    mkdir -p "$PYROOT/ansible_collections/ondemand"
    ln -s "$ROOT" "$PYROOT/ansible_collections/ondemand/caas"
fi
export ANSIBLE_COLLECTIONS_PATH="$PYROOT"
export ANSIBLE_LOAD_CALLBACK_PLUGINS=1 ANSIBLE_STDOUT_CALLBACK=minimal ANSIBLE_CALLBACK_RESULT_FORMAT=yaml
export ANSIBLE_LOCALHOST_WARNING=0
export ANSIBLE_INVENTORY_UNPARSED_WARNING=0 PATH="$PATH:/usr/local/go/bin"

run() {
    started=$(date +%s)
    # one summary line per run: state, changed, where, how long the build/download/copy took (or the error)
    "$ANSIBLE" localhost -c local -m ondemand.caas.k8s_artifact -a "$1" \
        | grep -E '^localhost \||^    (bin_dir|changed|seconds|msg):' | tr -d '\n' | sed -e 's/  */ /g'
    echo
    echo "  -> $1: $(( $(date +%s) - started ))s"
}

for v in $VERSIONS; do
    run "source=build component=kubernetes version=$v"
done
run "source=build component=etcd version=$ETCD_VERSION"
