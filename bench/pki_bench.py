#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Benchmark of cert_seed's logic: a 3-master, 10-worker cluster (with a registry) seeded from scratch, then a
no-op re-run. Prints the median of several runs per key type; writes only inside a temporary directory.

Goal (issue 3): from scratch with ECDSA under 5 s, no-op under 1 s.

    python bench/pki_bench.py [--runs 5] [--key-types ecdsa-p256,rsa-2048]
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import datetime
import json
import os
import shutil
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYROOT = os.path.join(ROOT, ".build", "pyroot")
if not os.path.isdir(os.path.join(PYROOT, "ansible_collections", "ondemand", "caas")):
    os.makedirs(os.path.join(PYROOT, "ansible_collections", "ondemand"), exist_ok=True)
    os.symlink(ROOT, os.path.join(PYROOT, "ansible_collections", "ondemand", "caas"))
sys.path.insert(0, PYROOT)

from ansible_collections.ondemand.caas.plugins.module_utils.pki.seed import Seeder  # noqa: E402
from ansible_collections.ondemand.caas.plugins.module_utils.pki.spec import ClusterInput  # noqa: E402
from ansible_collections.ondemand.caas.plugins.module_utils.pki.store import Store  # noqa: E402

GOAL_SCRATCH, GOAL_NOOP = 5.0, 1.0


def cluster(key_type):
    return ClusterInput(
        "bench",
        [{"name": "bench-m%d" % i, "ip": "10.20.0.%d" % (10 + i)} for i in range(3)],
        [{"name": "bench-w%d" % i, "ip": "10.20.1.%d" % (10 + i)} for i in range(10)],
        registry={"name": "bench-r0", "ip": "10.20.2.10", "hostnames": ["registry.bench.example"]},
        api_names=["api.bench.example", "10.20.0.5"], key_type=key_type)


def timed(inp, pki_dir):
    started = time.perf_counter()
    result = Seeder(inp, Store(pki_dir, "bench")).run()
    return time.perf_counter() - started, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--key-types", default="ecdsa-p256,rsa-2048")
    args = parser.parse_args()
    ok = True
    rows = []
    tmp = tempfile.mkdtemp(prefix="pki-bench-")
    try:
        for key_type in args.key_types.split(","):
            inp = cluster(key_type)
            scratch, noop, files = [], [], 0
            for run in range(args.runs):
                pki_dir = os.path.join(tmp, "%s-%d" % (key_type, run))
                seconds, result = timed(inp, pki_dir)
                scratch.append(seconds)
                files = len(result["changes"])
                seconds, result = timed(inp, pki_dir)
                assert not result["changed"], result["changes"]
                noop.append(seconds)
                shutil.rmtree(pki_dir)
            s, n = statistics.median(scratch), statistics.median(noop)
            line = ("%-10s 3 masters + 10 workers + registry: %d files; from scratch median %.3f s (min %.3f, max %.3f); "
                    "no-op median %.3f s (min %.3f, max %.3f); runs=%d"
                    % (key_type, files, s, min(scratch), max(scratch), n, min(noop), max(noop), args.runs))
            if key_type == "ecdsa-p256":
                passed = s < GOAL_SCRATCH and n < GOAL_NOOP
                ok = ok and passed
                line += "  [goal <%.0f s / <%.0f s: %s; %.0fx / %.0fx under]" % (
                    GOAL_SCRATCH, GOAL_NOOP, "met" if passed else "MISSED", GOAL_SCRATCH / s, GOAL_NOOP / n)
            print(line)
            goal = key_type == "ecdsa-p256"
            rows.append({"measure": "seed_%s_from_scratch" % key_type, "median_s": s, "min_s": min(scratch),
                         "max_s": max(scratch), "n": len(scratch), "goal_s": GOAL_SCRATCH if goal else None})
            rows.append({"measure": "seed_%s_noop" % key_type, "median_s": n, "min_s": min(noop),
                         "max_s": max(noop), "n": len(noop), "goal_s": GOAL_NOOP if goal else None})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    out_dir = os.path.join(ROOT, "bench", "results", datetime.date.today().isoformat())
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "pki.json"), "w") as handle:
        json.dump({"bench": "pki", "machine": os.uname().nodename, "nproc": os.cpu_count(),
                   "scope": "3 masters + 10 workers + registry", "results": rows}, handle, indent=2, sort_keys=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
