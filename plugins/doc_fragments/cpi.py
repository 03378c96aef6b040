# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Provider selection and the LXC provider's settings (mirrors plugins/module_utils/cpi/lxc.py settings_spec).
    DOCUMENTATION = r'''
options:
  provider:
    description:
      - The IaaS behind the CPI.
      - C(lxc) is the embedded default (LXC system containers on this machine); C(vsphere) drives vCenter.
      - Set it once for many tasks with C(module_defaults) on C(group/ondemand.caas.cpi).
      - If not set, the environment variable E(CAAS_PROVIDER) is used.
    type: str
    choices: [lxc, vsphere]
    default: lxc
  lxc_state_dir:
    description:
      - Where the LXC provider keeps its records, containers, stemcells and disk images.
      - If not set, the environment variable E(CAAS_LXC_STATE_DIR) is used.
    type: path
    default: /var/lib/ondemand-caas/lxc
notes:
  - The modules run on the controller (or an execution environment) and talk to the IaaS from there;
    use them with C(delegate_to: localhost) or in a play on C(localhost).
requirements:
  - LXC 5 and debootstrap on the controller for O(provider=lxc).
  - pyvmomi >= 8 for O(provider=vsphere).
'''

    ATTRIBUTES = r'''
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  action_group:
    description: Use C(group/ondemand.caas.cpi) in C(module_defaults) to set provider options once.
    support: full
    membership:
      - ondemand.caas.cpi
'''
