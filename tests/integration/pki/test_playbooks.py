# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""The modules and rotate_certificates.yml run by the real ansible-playbook, against local hosts whose files go
under a temporary ``pki_dest_root`` each: check and diff mode, idempotence, cert_info, and a full CA rotation."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

import pytest

from ansible_collections.ondemand.caas.plugins.module_utils.pki import crypto

from pkirun import REPO, ansible_playbook

pytestmark = pytest.mark.slow

SEED_PLAY = """
- name: Seed
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Seed the PKI
      ondemand.caas.cert_seed:
        cluster: demo
        pki_dir: "{{ pki_base }}"
        masters: [{name: demo-m0, ip: 10.10.0.10}, {name: demo-m1, ip: 10.10.0.11}]
        workers: [{name: demo-w0, ip: 10.10.1.10}]
        registry: {name: demo-r0, ip: 10.10.2.10}
      register: seeded
      loop: "{{ range(seed_times | default(1) | int) | list }}"  # seed_times=2: the second must change nothing
    - name: Report
      ansible.builtin.copy:
        content: "{{ seeded | to_json }}"
        dest: "{{ pki_base }}/result.json"
        mode: "0600"
      changed_when: false
    - name: Inspect
      ondemand.caas.cert_info:
        path: "{{ pki_base }}/demo"
      register: info
      when: not ansible_check_mode
    - name: Every certificate is listed and none expires soon
      ansible.builtin.assert:
        that:
          - info.certificates | selectattr('source', 'equalto', 'apiserver.crt') | list | length == 1
          - info.expiring == []
      when: not ansible_check_mode
"""


def inventory(work, pki_base):
    lines = []
    for group, hosts in (("demo_masters", ["demo-m0", "demo-m1"]), ("demo_workers", ["demo-w0"]),
                         ("demo_registry", ["demo-r0"])):
        lines.append("[%s]" % group)
        role = group.split("_")[1].rstrip("s") if group != "demo_registry" else "registry"
        for i, host in enumerate(hosts):
            lines.append("%s ansible_connection=local caas_role=%s caas_name=%s caas_cluster=demo caas_ip=10.0.%d.%d "
                         "pki_dest_root=%s/%s/ pki_manage_services=false" % (host, role, host, len(lines), 10 + i,
                                                                               work, host))
    lines += ["[all:vars]", "caas_pki_dir=%s" % pki_base, "ansible_python_interpreter=%s" % os.sys.executable]
    path = work / "inventory.ini"
    path.write_text(u"\n".join(lines) + u"\n")
    return str(path)


def test_cert_seed_module_check_diff_idempotence(tmp_path):
    (tmp_path / "seed.yml").write_text(SEED_PLAY)
    inv = inventory(tmp_path, tmp_path)
    out, raw = ansible_playbook(str(tmp_path / "seed.yml"), inv, {"pki_base": str(tmp_path)}, diff=True, check=True)
    assert out["rc"] == 0 and out["stats"]["localhost"]["changed"] == 1, raw
    assert not (tmp_path / "demo").exists()
    assert "apiserver.crt: absent" in raw and "PRIVATE KEY" not in raw
    out, raw = ansible_playbook(str(tmp_path / "seed.yml"), inv, {"pki_base": str(tmp_path), "seed_times": 2}, diff=True)
    assert out["rc"] == 0 and out["stats"]["localhost"]["changed"] == 1, raw
    assert "PRIVATE KEY" not in raw and "client-key-data" not in raw
    seeded = json.loads((tmp_path / "result.json").read_text())["results"]
    assert [r["changed"] for r in seeded] == [True, False], raw
    (tmp_path / "demo" / "sa.key").write_text(u"garbage")
    out, raw = ansible_playbook(str(tmp_path / "seed.yml"), inv, {"pki_base": str(tmp_path)})
    assert out["rc"] != 0 and "%s is not a readable" % (tmp_path / "demo" / "sa.key") in raw


def test_rotate_certificates_playbook_ca(tmp_path):
    (tmp_path / "seed.yml").write_text(SEED_PLAY)
    inv = inventory(tmp_path, tmp_path)
    out, raw = ansible_playbook(str(tmp_path / "seed.yml"), inv, {"pki_base": str(tmp_path)})
    assert out["rc"] == 0, raw
    old_ca = crypto.load_cert((tmp_path / "demo" / "ca.crt").read_bytes(), "ca.crt")
    playbook = os.path.join(REPO, "playbooks", "rotate_certificates.yml")
    out, raw = ansible_playbook(playbook, inv, {"caas_cluster_name": "demo", "caas_rotate": "ca"})
    assert out["rc"] == 0, raw
    new_ca = crypto.load_cert((tmp_path / "demo" / "ca.crt").read_bytes(), "ca.crt")
    assert new_ca.serial_number != old_ca.serial_number
    for host, leaf in (("demo-m1", "etc/kubernetes/pki/apiserver.crt"), ("demo-w0", "var/lib/kubelet/pki/kubelet.crt"),
                       ("demo-r0", "etc/ondemand-caas/registry/registry.crt")):
        bundle = crypto.load_certs((tmp_path / host / "etc/kubernetes/pki/ca-bundle.crt").read_bytes(), host)
        assert [c.serial_number for c in bundle] == [new_ca.serial_number], host
        cert = crypto.load_cert((tmp_path / host / leaf).read_bytes(), leaf)
        assert crypto.issued_by(cert, new_ca), host
    # a leaves-only rotation keeps the CA and changes the leaves
    before = (tmp_path / "demo-w0" / "var/lib/kubelet/pki/kubelet.crt").read_bytes()
    out, raw = ansible_playbook(playbook, inv, {"caas_cluster_name": "demo"})
    assert out["rc"] == 0, raw
    assert (tmp_path / "demo" / "ca.crt").read_bytes() == new_ca.public_bytes(crypto.serialization.Encoding.PEM)
    assert (tmp_path / "demo-w0" / "var/lib/kubelet/pki/kubelet.crt").read_bytes() != before
    # the reissued kubeconfigs keep the endpoint the nodes use (the default: each node's local apiserver proxy), not
    # the first master's address
    for conf in ("kubelet.conf", "kube-proxy.conf"):
        assert 'server: "https://127.0.0.1:6443"' in (tmp_path / "demo-w0" / "etc/kubernetes" / conf).read_text(), conf
