# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""TEMPORARY (until the embedded registry of the harbor role serves images): pack one static binary
as a single-layer OCI image archive that `ctr -n k8s.io images import` accepts.

    oci_archive.py OUT.tar NAME:TAG BINARY /path/in/image [--link DIR --applets a,b,...] [--entrypoint ...]

Deterministic (fixed mtimes, sorted entries), so the archive only changes when its inputs do.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import gzip
import hashlib
import io
import json
import os
import tarfile


def _tar_layer(binary, path_in_image, links):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        dirs = set()
        for entry in [path_in_image] + [link for link, _target in links]:
            parts = entry.strip("/").split("/")[:-1]
            for i in range(1, len(parts) + 1):
                dirs.add("/".join(parts[:i]))
        for name in sorted(dirs):
            info = tarfile.TarInfo(name)
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, 0
            tar.addfile(info)
        with open(binary, "rb") as handle:
            data = handle.read()
        info = tarfile.TarInfo(path_in_image.strip("/"))
        info.size, info.mode, info.mtime = len(data), 0o755, 0
        tar.addfile(info, io.BytesIO(data))
        for link, target in sorted(links):
            info = tarfile.TarInfo(link.strip("/"))
            info.type, info.linkname, info.mode, info.mtime = tarfile.SYMTYPE, target, 0o777, 0
            tar.addfile(info)
    return raw.getvalue()


def _blob(tar, data, media_type):
    digest = hashlib.sha256(data).hexdigest()
    info = tarfile.TarInfo("blobs/sha256/" + digest)
    info.size, info.mode, info.mtime = len(data), 0o644, 0
    tar.addfile(info, io.BytesIO(data))
    return {"mediaType": media_type, "digest": "sha256:" + digest, "size": len(data)}


def build(out, ref, binary, path_in_image, links, entrypoint, cmd):
    layer = _tar_layer(binary, path_in_image, links)
    gz = io.BytesIO()
    with gzip.GzipFile(fileobj=gz, mode="wb", mtime=0) as handle:
        handle.write(layer)
    config = json.dumps({
        "architecture": "amd64", "os": "linux", "created": "1970-01-01T00:00:00Z",
        "config": {"Entrypoint": entrypoint, "Cmd": cmd, "Env": ["PATH=/bin:/usr/bin:/sbin:/usr/sbin"]},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(layer).hexdigest()]},
        "history": [{"created": "1970-01-01T00:00:00Z", "created_by": "ondemand.caas oci_archive.py (temporary)"}],
    }, sort_keys=True).encode("utf-8")
    tmp = out + ".tmp"
    with tarfile.open(tmp, "w", format=tarfile.PAX_FORMAT) as tar:
        layer_desc = _blob(tar, gz.getvalue(), "application/vnd.oci.image.layer.v1.tar+gzip")
        config_desc = _blob(tar, config, "application/vnd.oci.image.config.v1+json")
        manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                               "config": config_desc, "layers": [layer_desc]}, sort_keys=True).encode("utf-8")
        manifest_desc = _blob(tar, manifest, "application/vnd.oci.image.manifest.v1+json")
        manifest_desc["annotations"] = {"io.containerd.image.name": ref,
                                        "org.opencontainers.image.ref.name": ref.rsplit(":", 1)[1]}
        for name, data in (("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'),
                           ("index.json", json.dumps({"schemaVersion": 2, "manifests": [manifest_desc]},
                                                     sort_keys=True).encode("utf-8"))):
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o644, 0
            tar.addfile(info, io.BytesIO(data))
    os.rename(tmp, out)
    return manifest_desc["digest"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("ref")
    parser.add_argument("binary")
    parser.add_argument("path_in_image")
    parser.add_argument("--applets", default="", help="comma-separated names linked to the binary in /bin")
    parser.add_argument("--entrypoint", nargs="*", default=None)
    parser.add_argument("--cmd", nargs="*", default=None)
    args = parser.parse_args()
    links = [("/bin/" + a, args.path_in_image) for a in args.applets.split(",")
             if a and "/bin/" + a != args.path_in_image]
    print(build(args.out, args.ref, args.binary, args.path_in_image, links,
                [args.path_in_image] if args.entrypoint is None else (args.entrypoint or None), args.cmd))


if __name__ == "__main__":
    main()
