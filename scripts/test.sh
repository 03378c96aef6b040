#!/usr/bin/env bash
# Every test of ondemand.caas, in CI's order. Run as root on Debian 12:  bash scripts/test.sh
# Stages can be picked:  bash scripts/test.sh lint sanity unit integration molecule build
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
bash scripts/install.sh
export PATH="$ROOT/.venv/bin:$PATH"
export ANSIBLE_CONFIG="$ROOT/ansible.cfg"
# This checkout, and nothing an earlier install left in ~/.ansible, is ondemand.caas for every stage.
export ANSIBLE_COLLECTIONS_PATH="$ROOT/.build/pyroot"
export CAAS_CACHE_DIR="${CAAS_CACHE_DIR:-/var/cache/ondemand-caas}"
STAGES=("${@:-lint sanity unit integration molecule build}")
STAGES=(${STAGES[*]})
declare -A RESULT

stage() { echo; echo "==================== $1 ===================="; }

run_lint() {
  rm -rf "$ROOT/.ansible"   # ansible-lint's cache of this collection; a stale one hides new roles and modules
  ansible-lint --profile production --offline
}

collection_copy() {
  # ansible-test wants the tree at a real path .../ansible_collections/ondemand/caas.
  # Outside this checkout (whose .gitignore would hide it from ansible-test), as its own git tree.
  local dest="${TMPDIR:-/tmp}/ondemand-caas-sanity/ansible_collections/ondemand/caas"
  rm -rf "$dest"; mkdir -p "$dest"
  git -C "$ROOT" ls-files -co --exclude-standard -z | rsync -a --from0 --files-from=- "$ROOT/" "$dest/"
  git -C "$dest" init -q && git -C "$dest" add -A
  echo "$dest"
}

get_pip_stand_in() {
  # ansible-test bootstraps pip by downloading get-pip.py, which is not reachable here; ensurepip does the job.
  local ver
  ver=$(python - <<'PY'
import inspect, re
from ansible_test._internal import python_requirements
print(re.search(r"pip='([0-9.]+)'", inspect.getsource(python_requirements)).group(1).replace(".", "_"))
PY
)
  mkdir -p ~/.ansible/test/cache
  cat > ~/.ansible/test/cache/get_pip_${ver}.py <<'PY'
# Stand-in for get-pip.py (offline): bootstrap pip from the standard library's bundled wheel.
import os, subprocess, sys
os.environ.pop("PIP_CONFIG_FILE", None)
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"])
PY
}

run_sanity() {
  get_pip_stand_in
  local dest; dest=$(collection_copy)
  # Test code, test doubles, benchmarks and scripts run under pytest/bash, not as Ansible content; they are linted
  # by pytest runs and shellcheck-free bash, not by ansible-test's module rules.
  (cd "$dest" && ansible-test sanity --python 3.11 --requirements --color no \
      --exclude tests/integration/ --exclude tests/doubles/ --exclude bench/ --exclude bin/ --exclude scripts/)
}

run_unit() {
  pytest -q -p no:cacheprovider tests/unit
}

run_integration() {
  bash scripts/install-vcsim.sh
  export PATH="$CAAS_CACHE_DIR/bin:$PATH"
  # Three workers: most of a test's time is spent waiting on VMs, SSH and apiservers, not on the CPU.
  # tests/integration/conftest.py keeps the files that share session fixtures in one worker.
  pytest -q -p no:cacheprovider -n "${CAAS_TEST_WORKERS:-3}" --dist loadgroup --durations=25 tests/integration
}

run_molecule() {
  bash scripts/molecule.sh
}

run_build() {
  local out="$ROOT/.build/galaxy" dest="$ROOT/.build/installed"
  rm -rf "$out" "$dest"; mkdir -p "$out" "$dest"
  ansible-galaxy collection build --output-path "$out" "$ROOT" >/dev/null
  ansible-galaxy collection install --force -p "$dest" "$out"/ondemand-caas-*.tar.gz >/dev/null
  test -d "$dest/ansible_collections/ondemand/caas/plugins/modules" || { echo "the built collection did not install"; return 1; }
  local modules
  modules=$(ls "$dest/ansible_collections/ondemand/caas/plugins/modules" | sed -n 's/\.py$//p')
  for m in $modules; do
    ANSIBLE_COLLECTIONS_PATH="$dest" ansible-doc "ondemand.caas.$m" >/dev/null
  done
  ANSIBLE_COLLECTIONS_PATH="$dest" ansible-doc -t inventory ondemand.caas.cpi >/dev/null
  ANSIBLE_COLLECTIONS_PATH="$dest" ansible-doc -t callback ondemand.caas.task_timer >/dev/null
  for f in $(ls "$dest/ansible_collections/ondemand/caas/plugins/filter" | sed -n 's/\.yml$//p'); do
    ANSIBLE_COLLECTIONS_PATH="$dest" ansible-doc -t filter "ondemand.caas.$f" >/dev/null
  done
  for r in $(ls "$dest/ansible_collections/ondemand/caas/roles"); do
    ANSIBLE_COLLECTIONS_PATH="$dest" ansible-doc -t role "ondemand.caas.$r" >/dev/null
  done
  ANSIBLE_COLLECTIONS_PATH="$dest" ansible-playbook --syntax-check ondemand.caas.create_cluster >/dev/null
  echo "built, installed into an empty path, ansible-doc rendered $(echo $modules | wc -w) modules; playbooks resolve by FQCN"
}

failed=0
for s in "${STAGES[@]}"; do
  stage "$s"
  start=$(date +%s)
  if "run_$s"; then RESULT[$s]="passed"; else RESULT[$s]="FAILED"; failed=1; fi
  RESULT[$s]="${RESULT[$s]} ($(( $(date +%s) - start ))s)"
done
echo; echo "==================== summary ===================="
for s in "${STAGES[@]}"; do echo "$s: ${RESULT[$s]}"; done
exit $failed
