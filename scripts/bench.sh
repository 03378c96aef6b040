#!/usr/bin/env bash
# Every benchmark, side by side in one run, then the report (docs/performance.md and its plots).
#   bash scripts/bench.sh            results in bench/results/<date>/
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export PATH="$PWD/.venv/bin:${CAAS_CACHE_DIR:-/var/cache/ondemand-caas}/bin:$PATH"
bash scripts/install-vcsim.sh
python bench/lxc_cpi_bench.py
python bench/pki_bench.py --runs 5
python bench/lifecycle_bench.py --runs "${CAAS_BENCH_RUNS:-3}"
python bench/vsphere_bench.py
# With Kubernetes (cached builds from scripts/build-k8s.sh): node install vs a baseline, and create / resize / heal /
# manual_install in one run.
bash scripts/build-k8s.sh
python bench/k8s_bench.py
python bench/lifecycle_k8s_bench.py
python bench/report.py
