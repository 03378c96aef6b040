#!/usr/bin/env bash
# Install everything ondemand.caas needs on a Debian 12 machine, as root: apt packages and a venv in .venv.
# Safe to re-run; it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(lxc debootstrap iptables e2fsprogs util-linux openssh-client rsync python3-venv
              etcd-server etcd-client openssl ca-certificates git openjdk-17-jre-headless
              skopeo umoci busybox-static gcc libc6-dev)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> apt: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Every LXC VM runs systemd, which takes several inotify instances; the kernel default (128 per user) is spent by
# about a dozen VMs and the next one dies at boot ("Failed to allocate manager object: Too many open files").
for limit in fs.inotify.max_user_instances=1024 fs.inotify.max_user_watches=524288; do
  if [ "$(sysctl -n "${limit%%=*}")" -lt "${limit#*=}" ]; then
    echo "==> sysctl: $limit (LXC VMs run systemd)"
    sysctl -q -w "$limit"
  fi
done

# The controller's SSH key, made once here: the tests, benches and molecule log in to their VMs with it, and several
# of them starting at once must not race to make it (the playbooks make it themselves when it is missing).
mkdir -p -m 0700 ~/.ssh
[ -f ~/.ssh/id_ed25519 ] || ssh-keygen -q -t ed25519 -N "" -f ~/.ssh/id_ed25519

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  python3 -m venv .venv
fi
stamp=.venv/.requirements.sha256
want=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "==> pip: installing requirements.txt and requirements-dev.txt"
  .venv/bin/pip install -q -r requirements.txt -r requirements-dev.txt
  echo "$want" > "$stamp"
fi

# The checkout as ansible_collections.ondemand.caas, for ansible-playbook and for Python imports.
mkdir -p .build/pyroot/ansible_collections/ondemand
ln -sfn "$PWD" .build/pyroot/ansible_collections/ondemand/caas
