#!/usr/bin/env bash
# Every molecule scenario of the collection (extensions/molecule/<scenario>/, molecule 26's collection layout), each
# on its own real LXC VMs made through ondemand.caas.cpi_vm. As root on Debian 12, after scripts/install.sh:
#   bash scripts/molecule.sh                 # every scenario, MOLECULE_JOBS (default 2) at a time
#   bash scripts/molecule.sh pki node        # some of them
# Each scenario keeps its provider state and PKI in $CAAS_MOLECULE_ROOT/<scenario> (default /var/tmp/caas-molecule)
# and has its own segment 10.241.N.0/24 (extensions/molecule/README.md), so scenarios run side by side;
# `molecule test` destroys everything it made, also when a step fails. A scenario's output is printed when it ends
# (and kept in $CAAS_MOLECULE_ROOT/logs/<scenario>.log).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$ROOT/.venv/bin:$PATH"
export CAAS_CACHE_DIR="${CAAS_CACHE_DIR:-/var/cache/ondemand-caas}"
export CAAS_MOLECULE_ROOT="${CAAS_MOLECULE_ROOT:-/var/tmp/caas-molecule}"
export ANSIBLE_FORCE_COLOR=0 PY_COLORS=0 NO_COLOR=1
JOBS="${MOLECULE_JOBS:-2}"

if [ ! -e .build/pyroot/ansible_collections/ondemand/caas/galaxy.yml ]; then
  echo "run scripts/install.sh first (it links this checkout as .build/pyroot/ansible_collections/ondemand/caas)" >&2
  exit 2
fi

if [ $# -gt 0 ]; then
  scenarios=("$@")
else
  # Longest first, so the two lanes end together; harbor before node, so a cold image cache is filled once.
  order=(harbor control_plane node heal_upgrade pki cluster cluster_vms)
  mapfile -t found < <(ls extensions/molecule/*/molecule.yml | xargs -n1 dirname | xargs -n1 basename)
  scenarios=()
  for s in "${order[@]}" "${found[@]}"; do
    [[ -e extensions/molecule/$s/molecule.yml && " ${scenarios[*]} " != *" $s "* ]] && scenarios+=("$s")
  done
fi

mkdir -p "$CAAS_MOLECULE_ROOT/logs"

declare -A scenario_of=()
passed=() failed=()
stage_start=$(date +%s)

reap() {  # wait for one scenario to end, record its result and print its log
  local pid rc=0
  wait -n -p pid || rc=$?
  local s=${scenario_of[$pid]}
  unset "scenario_of[$pid]"
  cat "$CAAS_MOLECULE_ROOT/logs/$s.log"
  if [ $rc -eq 0 ]; then passed+=("$s"); else failed+=("$s"); fi
}

for s in "${scenarios[@]}"; do
  [ ${#scenario_of[@]} -lt "$JOBS" ] || reap
  ( echo "==> molecule test -s $s"
    # wall time, and the CPU the controller side used (the VMs' own CPU is not counted): on a busy machine the
    # second says more about the scenario than the first
    TIMEFORMAT="==> $s: %0R s wall, %0U s user + %0S s sys on the controller"
    rc=0; time molecule test -s "$s" || rc=$?
    echo "==> $s: rc=$rc"
    exit $rc ) > "$CAAS_MOLECULE_ROOT/logs/$s.log" 2>&1 &
  scenario_of[$!]=$s
done
while [ ${#scenario_of[@]} -gt 0 ]; do reap; done

echo "molecule: $(( $(date +%s) - stage_start ))s; passed: ${passed[*]:-none}; failed: ${failed[*]:-none}"
[ ${#failed[@]} -eq 0 ]
