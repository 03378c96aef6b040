#!/usr/bin/env bash
# Every molecule scenario of the collection (extensions/molecule/<scenario>/, molecule 26's collection layout), each
# on its own real LXC VMs made through ondemand.caas.cpi_vm. As root on Debian 12, after scripts/install.sh:
#   bash scripts/molecule.sh                 # every scenario
#   bash scripts/molecule.sh pki             # some of them
# Each scenario keeps its provider state in $CAAS_MOLECULE_ROOT/<scenario> (default /var/tmp/caas-molecule) and its
# own segment 10.241.N.0/24; `molecule test` destroys everything it made, also when a step fails.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$ROOT/.venv/bin:$PATH"
export CAAS_CACHE_DIR="${CAAS_CACHE_DIR:-/var/cache/ondemand-caas}"
export CAAS_MOLECULE_ROOT="${CAAS_MOLECULE_ROOT:-/var/tmp/caas-molecule}"
export ANSIBLE_FORCE_COLOR=0 PY_COLORS=0 NO_COLOR=1

if [ ! -e .build/pyroot/ansible_collections/ondemand/caas/galaxy.yml ]; then
  echo "run scripts/install.sh first (it links this checkout as .build/pyroot/ansible_collections/ondemand/caas)" >&2
  exit 2
fi

if [ $# -gt 0 ]; then
  scenarios=("$@")
else
  mapfile -t scenarios < <(ls extensions/molecule/*/molecule.yml | xargs -n1 dirname | xargs -n1 basename)
fi

passed=() failed=()
for s in "${scenarios[@]}"; do
  start=$(date +%s)
  echo "==> molecule test -s $s"
  if molecule test -s "$s"; then passed+=("$s"); else failed+=("$s"); fi
  echo "==> $s: $(( $(date +%s) - start ))s"
done
echo "molecule scenarios passed: ${passed[*]:-none}; failed: ${failed[*]:-none}"
[ ${#failed[@]} -eq 0 ]
