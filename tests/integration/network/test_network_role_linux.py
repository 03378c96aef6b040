# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""roles/network with network_provider=linux: real bridges and NAT from ondemand.caas.cpi_network.

Two clusters' segments side by side; a network namespace on each bridge stands in for a VM (veth). Traffic goes
only to addresses on these bridges and namespaces: the VM on A reaches its gateway, reaches a TCP server in an
"upstream" namespace the test wires to the host (198.18.200.0/30, a benchmarking range this machine does not route) and is seen there with the host's
address (NAT), and cannot reach the VM on B.
"""

import importlib.util
import os
import shutil
import subprocess
import time

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("ip")
                                                   or not shutil.which("iptables"), reason="needs root, ip, iptables")]

HERE = os.path.dirname(__file__)
spec = importlib.util.spec_from_file_location("nsxt_it_conftest", os.path.join(HERE, "..", "nsxt", "conftest.py"))
helpers = importlib.util.module_from_spec(spec)
spec.loader.exec_module(helpers)

ROLE = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: network
      ansible.builtin.include_role: {name: ondemand.caas.network}
      vars:
        network_provider: linux
        network_nodes_pool: 10.251.0.0/23
        network_pods_pool: 10.252.0.0/15
        network_lxc_state_dir: %(lxc)s
    - name: facts
      ansible.builtin.debug: {var: network_facts}
"""


def sh(*cmd, check=True):
    return subprocess.run(list(cmd), capture_output=True, text=True, check=check)


class FakeDouble(object):
    host = username = password = ca_path = ""


@pytest.fixture
def linux(tmp_path):
    made = {"ns": [], "links": [], "play": None}
    runner = helpers.Playbook(FakeDouble(), tmp_path)
    params = {"lxc": tmp_path / "lxc"}
    yield runner, ROLE % params, made
    for cluster in ("nt-a", "nt-b"):
        runner.run(ROLE % params, "-e", "caas_cluster_name=%s" % cluster, "-e", "network_state=absent")
    for ns in made["ns"]:
        sh("ip", "netns", "del", ns, check=False)
    for link in made["links"]:
        sh("ip", "link", "del", link, check=False)


def vm(made, name, bridge, address, gateway):
    """A namespace with one veth on ``bridge``, as a VM's NIC would be."""
    made["ns"].append(name)
    made["links"].append(name + "h")
    sh("ip", "netns", "add", name)
    sh("ip", "link", "add", name + "h", "type", "veth", "peer", "name", name + "v")
    sh("ip", "link", "set", name + "v", "netns", name)
    sh("ip", "link", "set", name + "h", "master", bridge, "up")
    sh("ip", "-n", name, "addr", "add", address, "dev", name + "v")
    sh("ip", "-n", name, "link", "set", name + "v", "up")
    sh("ip", "-n", name, "link", "set", "lo", "up")
    sh("ip", "-n", name, "route", "add", "default", "via", gateway)


SERVER = ("import socket,sys;s=socket.socket();s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1);"
          "s.bind((sys.argv[1],18080));s.listen(1);s.settimeout(6);print('ready',flush=True)\n"
          "try:\n c,a=s.accept();c.sendall(a[0].encode());c.close()\nexcept OSError:\n pass")
CLIENT = ("import socket,sys\ntry:\n s=socket.create_connection((sys.argv[1],18080),2);print(s.recv(64).decode())"
          "\nexcept OSError:\n print('unreachable')")


def tcp(client_ns, server_ns, address):
    """Connect from ``client_ns`` to a one-shot server on ``address`` (in ``server_ns``, or on the host);
    return the peer address the server saw, or None if unreachable."""
    prefix = ["ip", "netns", "exec", server_ns] if server_ns else []
    server = subprocess.Popen(prefix + ["python3", "-c", SERVER, address], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout.readline().strip() == "ready"
        out = sh("ip", "netns", "exec", client_ns, "python3", "-c", CLIENT, address).stdout.strip()
        return None if out == "unreachable" else out
    finally:
        server.kill()
        server.wait()


def test_two_segments_side_by_side(linux):
    runner, play, made = linux
    a = runner.run(play, "-e", "caas_cluster_name=nt-a")
    assert a["rc"] == 0, a["tasks"]
    b = runner.run(play, "-e", "caas_cluster_name=nt-b")
    assert b["rc"] == 0, b["tasks"]
    net_a = a["tasks_by_name"]["facts"]["network_facts"]
    net_b = b["tasks_by_name"]["facts"]["network_facts"]
    assert (net_a["segment"], net_a["nodes_cidr"], net_a["gateway"]) == ("caas-nt-a", "10.251.0.0/24", "10.251.0.1")
    assert net_b["nodes_cidr"] == "10.251.1.0/24" and net_b["pod_cidr"] != net_a["pod_cidr"]
    assert "10.251.0.1/24" in sh("ip", "-o", "-4", "addr", "show", "dev", "caas-nt-a").stdout
    again = runner.run(play, "-e", "caas_cluster_name=nt-a")
    assert again["rc"] == 0 and again["stats_localhost"]["changed"] == 0

    vm(made, "ntva", "caas-nt-a", net_a["node_ips"][0] + "/24", net_a["gateway"])
    vm(made, "ntvb", "caas-nt-b", net_b["node_ips"][0] + "/24", net_b["gateway"])
    # upstream: a namespace wired to the host on 198.18.200.0/30, where the host is 198.18.200.1. Not TEST-NET-1:
    # some hosts (this CI's among them) use 192.0.2.0/24 for their own uplink.
    assert "198.18." not in sh("ip", "route").stdout, "198.18.0.0/15 is routed on this host; pick another range"
    made["ns"].append("ntup")
    made["links"].append("ntuph")
    sh("ip", "netns", "add", "ntup")
    sh("ip", "link", "add", "ntuph", "type", "veth", "peer", "name", "ntupv")
    sh("ip", "link", "set", "ntupv", "netns", "ntup")
    sh("ip", "addr", "add", "198.18.200.1/30", "dev", "ntuph")
    sh("ip", "link", "set", "ntuph", "up")
    sh("ip", "-n", "ntup", "addr", "add", "198.18.200.2/30", "dev", "ntupv")
    sh("ip", "-n", "ntup", "link", "set", "ntupv", "up")

    time.sleep(1)  # let the veth links come up (carrier) before the first packet
    assert tcp("ntva", None, net_a["gateway"]) == net_a["node_ips"][0]     # VM on A reaches its gateway
    assert tcp("ntvb", None, net_b["gateway"]) == net_b["node_ips"][0]
    assert tcp("ntva", "ntup", "198.18.200.2") == "198.18.200.1"             # upstream sees the host: NAT
    assert tcp("ntva", "ntvb", net_b["node_ips"][0]) is None                 # isolated from cluster B
    assert tcp("ntvb", "ntva", net_a["node_ips"][0]) is None

    gone = runner.run(play, "-e", "caas_cluster_name=nt-a", "-e", "network_state=absent")
    assert gone["rc"] == 0, gone["tasks"]
    assert not os.path.exists("/sys/class/net/caas-nt-a") and os.path.exists("/sys/class/net/caas-nt-b")
    assert tcp("ntvb", None, net_b["gateway"]) == net_b["node_ips"][0]
