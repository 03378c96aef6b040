#!/usr/bin/env bash
# Build a single-layer OCI image with umoci, with no network, from files on this machine.
#   caas-build-image.sh LAYOUT TAG ENTRYPOINT SRC:DEST [SRC:DEST ...] [--busybox-links DIR]
# LAYOUT is an OCI image layout directory; the image is (re)built only when its inputs changed (a stamp
# beside the layout holds the sha256 of the inputs). Prints "built" or "unchanged".
set -euo pipefail
layout=$1 tag=$2 entrypoint=$3
shift 3
files=() links=""
while [ $# -gt 0 ]; do
  case $1 in
    --busybox-links) links=$2; shift 2 ;;
    *) files+=("$1"); shift ;;
  esac
done
stamp="$layout.$tag.inputs"
inputs=$( { echo "$tag $entrypoint $links"; for f in "${files[@]}"; do echo "$f $(sha256sum < "${f%%:*}")"; done; } | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$inputs" ] && umoci stat --image "$layout:$tag" >/dev/null 2>&1; then
  echo unchanged; exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -d "$layout" ] || umoci init --layout "$layout"
umoci new --image "$layout:$tag"
umoci unpack --image "$layout:$tag" "$work/bundle" >/dev/null
root="$work/bundle/rootfs"
for f in "${files[@]}"; do
  src=${f%%:*} dest=${f#*:}
  install -D -m 0755 "$src" "$root$dest"
done
if [ -n "$links" ]; then
  for applet in $("$root$links/busybox" --list); do
    [ -e "$root$links/$applet" ] || ln -s busybox "$root$links/$applet"
  done
fi
find "$root" -exec touch -h -d @0 {} +
umoci repack --image "$layout:$tag" --history.created 1970-01-01T00:00:00Z "$work/bundle"
umoci config --image "$layout:$tag" --os linux --architecture amd64 --created 1970-01-01T00:00:00Z \
  --history.created 1970-01-01T00:00:00Z --config.entrypoint "$entrypoint" --config.workingdir /
umoci gc --layout "$layout"
echo "$inputs" > "$stamp"
echo built
