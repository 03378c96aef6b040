#!/bin/sh
# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
#
# Install vcsim (VMware's vSphere API simulator) from its Go module into the controller cache:
#   ${CAAS_CACHE_DIR:-/var/cache/ondemand-caas}/bin/vcsim
# The version is pinned: Debian's govmomi 0.24.2 vcsim drops the connection when pyvmomi >= 8 reads an
# unset property and sends TaskInfo.entity values pyvmomi rejects; tests/integration/vsphere proves the
# pinned release does not. v0.46.3 is the last release `go install` can build: from v0.47.0 vcsim is a
# sub-module with a `replace ../` directive, which `go install pkg@version` refuses. Skips the build when the pinned version is already installed.
# Needs: go >= 1.22 and access to the Go module proxy. Override the pin with CAAS_VCSIM_VERSION.
set -eu

VCSIM_VERSION="${CAAS_VCSIM_VERSION:-v0.46.3}"
CACHE_DIR="${CAAS_CACHE_DIR:-/var/cache/ondemand-caas}"
BIN_DIR="$CACHE_DIR/bin"
STAMP="$BIN_DIR/vcsim.version"

if [ -x "$BIN_DIR/vcsim" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$VCSIM_VERSION" ]; then
    echo "vcsim $VCSIM_VERSION already installed in $BIN_DIR"
    exit 0
fi

command -v go >/dev/null 2>&1 || { echo "install-vcsim: 'go' not found (apt-get install golang-go, or Go >= 1.22)" >&2; exit 1; }

mkdir -p "$BIN_DIR"
echo "building vcsim $VCSIM_VERSION into $BIN_DIR"
GOBIN="$BIN_DIR" CGO_ENABLED=0 nice -n 19 go install "github.com/vmware/govmomi/vcsim@$VCSIM_VERSION"
echo "$VCSIM_VERSION" > "$STAMP"
"$BIN_DIR/vcsim" -h >/dev/null 2>&1 || true
echo "vcsim $VCSIM_VERSION installed: $BIN_DIR/vcsim"
