#!/usr/bin/env bash
# Every benchmark, side by side in one run, then the report (docs/performance.md and its plots).
#   bash scripts/bench.sh                     results in bench/results/<date>/, 3 runs of the lifecycle
#   CAAS_BENCH_RUNS=1 bash scripts/bench.sh   1 run of the lifecycle: the faster subset (see docs/performance.md)
#   CAAS_BENCH_BASELINE=1 ...                 also the k8s node install against its baseline ref, side by side
# Each benchmark is also callable alone (python bench/<name>_bench.py --help); bench/report.py takes each one's
# newest results file.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${CAAS_BENCH_RUNS:-3}"
start=$(date +%s)
step() {
  echo "== $* ($(( $(date +%s) - start )) s since the start)"
  "$@"
}
bash scripts/install.sh
export PATH="$PWD/.venv/bin:${CAAS_CACHE_DIR:-/var/cache/ondemand-caas}/bin:$PATH"
bash scripts/install-vcsim.sh
step python bench/lxc_cpi_bench.py
step python bench/pki_bench.py --runs 5
step python bench/vsphere_bench.py
# With Kubernetes (cached builds from scripts/build-k8s.sh): all nodes Ready after the VMs exist, alone (the goal's
# figure); the lifecycle create / no-op / heal one and two / resize +1 at 2..8 and -1 / delete, each against the
# manual path where there is one, with the cost of Ansible (task times, pipelining and forks) and the resources.
bash scripts/build-k8s.sh
step python bench/k8s_bench.py --alone --runs "$runs"
if [ -n "${CAAS_BENCH_BASELINE:-}" ]; then
  step python bench/k8s_bench.py
fi
step python bench/lifecycle_k8s_bench.py --runs "$runs"
# Rolling upgrade: a stemcell roll of a 1+2 and a 3+3 cluster, and each VM's time out of service.
step python bench/upgrade_bench.py
step python bench/report.py
echo "== bench.sh done in $(( $(date +%s) - start )) s"
