# -*- coding: utf-8 -*-
# Copyright (c) 2026 ondemand.caas contributors
# Apache License 2.0 (see LICENSE)
"""Place a node's files in one go - certificates, keys and kubeconfigs as well as units, configuration and
scripts: each file written atomically (temp file in the same directory, then rename) with its owner, group and
mode; report exactly which files changed and never their contents (any of them may be secret).

Runs on the managed node (module ondemand.caas.node_files); the action plugin of the same name reads the
sources on the controller. Standard library only, so the module's payload stays small.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import binascii
import grp
import os
import pwd
import stat
import tempfile


class NodeFilesError(Exception):
    """Root of every error raised here on purpose; ``path`` names the file or directory when one is at fault."""

    def __init__(self, message, path=None):
        super(NodeFilesError, self).__init__(message)
        self.message = message
        self.path = path


def parse_mode(mode, what):
    """An octal mode given as text (``"0600"``) or an int as YAML reads ``0600`` (384)."""
    if isinstance(mode, int):
        return mode & 0o7777
    try:
        return int(str(mode), 8) & 0o7777
    except ValueError:
        raise NodeFilesError("mode %r of %s is not an octal mode like 0600" % (mode, what))


def resolve_owner(owner, group, what):
    try:
        uid = pwd.getpwnam(owner).pw_uid
    except KeyError:
        raise NodeFilesError("owner %s of %s does not exist on this node" % (owner, what))
    try:
        gid = grp.getgrnam(group).gr_gid
    except KeyError:
        raise NodeFilesError("group %s of %s does not exist on this node" % (group, what))
    return uid, gid


def decode(content, dest):
    try:
        return base64.b64decode(content.encode("ascii") if not isinstance(content, bytes) else content, validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise NodeFilesError("content of %s is not base64" % dest)


def describe(st):
    """Mode and owner of an existing file for the diff (never its content)."""
    if st is None:
        return "absent"
    return "mode %04o uid %d gid %d" % (stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid)


def read_existing(path):
    try:
        st = os.lstat(path)
    except OSError:
        return None, None
    if not stat.S_ISREG(st.st_mode):
        raise NodeFilesError("%s exists and is not a regular file" % path, path=path)
    try:
        with open(path, "rb") as handle:
            return st, handle.read()
    except (IOError, OSError) as exc:
        raise NodeFilesError("cannot read %s: %s" % (path, exc), path=path)


def write_atomically(path, data, uid, gid, mode):
    directory = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), dir=directory)
    try:
        # Owner and mode are set before any byte is written, so a key is never readable by others, not even briefly.
        os.fchmod(fd, mode)
        os.fchown(fd, uid, gid)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
        os.close(fd)
        fd = None
        os.rename(tmp, path)
    except (IOError, OSError) as exc:
        if fd is not None:
            os.close(fd)
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise NodeFilesError("cannot write %s: %s" % (path, exc), path=path)


def ensure_directory(path, uid, gid, mode, check_mode):
    """Create ``path`` (and missing parents, root-owned 0755) or fix its owner and mode. True if it changed."""
    try:
        st = os.stat(path)
    except OSError:
        st = None
    if st is not None and not stat.S_ISDIR(st.st_mode):
        raise NodeFilesError("%s exists and is not a directory" % path, path=path)
    if st is not None and stat.S_IMODE(st.st_mode) == mode and (st.st_uid, st.st_gid) == (uid, gid):
        return False
    if check_mode:
        return True
    try:
        if st is None:
            os.makedirs(path, 0o755)
        os.chmod(path, mode)
        os.chown(path, uid, gid)
    except (IOError, OSError) as exc:
        raise NodeFilesError("cannot create %s: %s" % (path, exc), path=path)
    return True


def place(files, directory_owner="root", directory_group="root", directory_mode="0755", check_mode=False):
    """Place ``files`` (dicts: dest, content (base64), owner, group, mode) and their directories.

    Returns ``{"changed", "changed_files", "changed_directories", "diff"}``. The diff names what changes
    (mode, owner, whether the content differs), never the content of any file, secret or not.
    """
    dests = [f["dest"] for f in files]
    duplicates = sorted(set(d for d in dests if dests.count(d) > 1))
    if duplicates:
        raise NodeFilesError("files placed twice: %s" % ", ".join(duplicates))
    for dest in dests:
        if not os.path.isabs(dest):
            raise NodeFilesError("dest %s is not an absolute path" % dest)

    # Every item is checked before anything is written.
    wanted = [(item["dest"], decode(item["content"], item["dest"]))
              + resolve_owner(item["owner"], item["group"], item["dest"]) + (parse_mode(item["mode"], item["dest"]),)
              for item in files]
    dir_uid, dir_gid = resolve_owner(directory_owner, directory_group, "the directories")
    dir_mode = parse_mode(directory_mode, "the directories")
    changed_directories = [d for d in sorted(set(os.path.dirname(dest) for dest in dests))
                           if ensure_directory(d, dir_uid, dir_gid, dir_mode, check_mode)]

    changed_files, before, after = [], [], []
    for dest, data, uid, gid, mode in wanted:
        st, existing = read_existing(dest)
        content_same = existing == data
        if st is not None and content_same and (stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid) == (mode, uid, gid):
            continue
        changed_files.append(dest)
        before.append("%s: %s" % (dest, describe(st)))
        after.append("%s: mode %04o uid %d gid %d%s"
                     % (dest, mode, uid, gid, "" if content_same else ", content differs"))
        if check_mode:
            continue
        if content_same:
            try:
                os.chmod(dest, mode)
                os.chown(dest, uid, gid)
            except (IOError, OSError) as exc:
                raise NodeFilesError("cannot set owner and mode of %s: %s" % (dest, exc), path=dest)
        else:
            write_atomically(dest, data, uid, gid, mode)

    diff = {"before_header": "node files", "after_header": "node files",
            "before": "".join(line + "\n" for line in before), "after": "".join(line + "\n" for line in after)}
    return {"changed": bool(changed_files or changed_directories), "changed_files": changed_files,
            "changed_directories": changed_directories, "diff": diff}
