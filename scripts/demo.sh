#!/usr/bin/env bash
# The main job on the embedded default: install, then create a Kubernetes cluster (1 master, 2 workers) on this machine.
#   bash scripts/demo.sh [extra ansible-playbook arguments, e.g. -e caas_cluster_name=demo2 -e caas_nodes_cidr=10.244.1.0/24]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
exec .venv/bin/ansible-playbook playbooks/create_cluster.yml -e caas_kubernetes=true -e @playbooks/vars/node_stemcell.yml "$@"
