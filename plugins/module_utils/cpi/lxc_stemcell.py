# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Building the LXC stemcell image: a debootstrap root file system packed as a tarball.

The image is made once into the controller cache and named after its recipe, so a
changed package list gives a new image and an unchanged one is reused.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import shutil
import tempfile

from ansible_collections.ondemand.caas.plugins.module_utils.cpi.errors import InvalidArgument
from ansible_collections.ondemand.caas.plugins.module_utils.cpi.lxc_host import run

DEFAULT_RECIPE = {
    "suite": "bookworm",
    "mirror": "http://deb.debian.org/debian",
    "packages": ["systemd", "systemd-sysv", "dbus", "openssh-server", "python3", "iproute2", "e2fsprogs",
                 "util-linux", "mount", "ca-certificates", "procps"],
}


def recipe_digest(recipe):
    return hashlib.sha256(json.dumps(recipe, sort_keys=True).encode("utf-8")).hexdigest()[:12]


def normalise_recipe(recipe):
    """The default recipe, overridden key by key; ``extra_packages`` adds to the default package list."""
    recipe = dict(recipe or {})
    extra = recipe.pop("extra_packages", None) or []
    merged = dict(DEFAULT_RECIPE)
    merged.update(dict((k, v) for k, v in recipe.items() if v is not None))
    unknown = set(merged) - set(DEFAULT_RECIPE)
    if unknown:
        raise InvalidArgument("unknown stemcell recipe keys: %s" % ", ".join(sorted(unknown)))
    if not isinstance(merged["packages"], list) or not isinstance(extra, list):
        raise InvalidArgument("stemcell recipe 'packages' and 'extra_packages' must be lists")
    merged["packages"] = list(merged["packages"]) + [p for p in extra if p not in merged["packages"]]
    return merged


def build_image(image_path, recipe, log):
    """debootstrap the recipe into ``image_path`` (a tarball), atomically."""
    directory = os.path.dirname(os.path.abspath(image_path))
    os.makedirs(directory, exist_ok=True)
    work = tempfile.mkdtemp(dir=directory, prefix=".build-")
    try:
        rootfs = os.path.join(work, "rootfs")
        log("debootstrap %s into %s (about a minute)" % (recipe["suite"], rootfs))
        run(["debootstrap", "--variant=minbase", "--include=" + ",".join(recipe["packages"]),
             recipe["suite"], rootfs, recipe["mirror"]], timeout=1800)
        _prepare_rootfs(rootfs, recipe)
        tmp_image = os.path.join(work, "image.tar")
        run(["tar", "--numeric-owner", "-C", rootfs, "-cf", tmp_image, "."], timeout=600)
        os.rename(tmp_image, image_path)
        log("stemcell image written to %s" % image_path)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _prepare_rootfs(rootfs, recipe):
    """Make the root file system a template: no identity of its own, VM paths in place."""
    ssh_dir = os.path.join(rootfs, "etc", "ssh")
    for name in os.listdir(ssh_dir):
        if name.startswith("ssh_host_"):
            os.unlink(os.path.join(ssh_dir, name))
    # systemd generates a machine id on first boot when the file is empty.
    with open(os.path.join(rootfs, "etc", "machine-id"), "w"):
        pass
    dbus_id = os.path.join(rootfs, "var", "lib", "dbus", "machine-id")
    if os.path.lexists(dbus_id):
        os.unlink(dbus_id)
    lists = os.path.join(rootfs, "var", "lib", "apt", "lists")
    for name in os.listdir(lists):
        path = os.path.join(lists, name)
        if os.path.isfile(path):
            os.unlink(path)
    shutil.rmtree(os.path.join(rootfs, "var", "cache", "apt", "archives"), ignore_errors=True)
    os.makedirs(os.path.join(rootfs, "var", "cache", "apt", "archives", "partial"), exist_ok=True)
    for path in ("var/vcap/store", "var/vcap/data", "var/vcap/bosh"):
        os.makedirs(os.path.join(rootfs, path), exist_ok=True)
    with open(os.path.join(rootfs, "etc", "ondemand-caas-stemcell.json"), "w") as handle:
        json.dump(recipe, handle, sort_keys=True)


def extract_image(image_path, rootfs):
    os.makedirs(rootfs)
    run(["tar", "--numeric-owner", "-xpf", image_path, "-C", rootfs], timeout=600)
