#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: cpi_stemcell
short_description: Import or delete a stemcell (the base image of every VM)
version_added: 0.1.0
description:
  - A stemcell is found by O(name) and O(version); importing one that exists changes nothing.
  - For the LXC provider the image is a root file system tarball. When O(image_path) does not exist and
    O(cloud_properties) has a C(debootstrap) recipe (C(suite), C(mirror), C(packages)), the image is built there
    first with debootstrap (about a minute), so the controller cache holds it for every later run.
  - A stemcell that VMs are based on is not deleted.
author: ondemand.caas developers (@ondemand)
extends_documentation_fragment:
  - ondemand.caas.cpi
  - ondemand.caas.cpi.vsphere
  - ondemand.caas.cpi.attributes
options:
  name:
    description: Stemcell name.
    type: str
    required: true
  version:
    description: Stemcell version.
    type: str
    required: true
  image_path:
    description: The image on the controller. Required to import.
    type: path
  cloud_properties:
    description: Provider-specific stemcell properties (for LXC, an optional C(debootstrap) recipe).
    type: dict
    default: {}
  state:
    description: Desired state of the stemcell.
    type: str
    choices: [present, absent]
    default: present
'''

EXAMPLES = r'''
- name: The embedded default's stemcell, built once into the cache
  ondemand.caas.cpi_stemcell:
    name: bosh-lxc-debian-bookworm
    version: "1"
    image_path: /var/cache/ondemand-caas/stemcells/bosh-lxc-debian-bookworm-1.tar
    cloud_properties:
      debootstrap: {suite: bookworm}
  register: stemcell
'''

RETURN = r'''
stemcell:
  description: The stemcell (null when absent).
  returned: always
  type: dict
  contains:
    cid: {description: Cloud id of the stemcell (null in check mode when it would be created)., type: str, returned: success}
    name: {description: Stemcell name., type: str, returned: success}
    version: {description: Stemcell version., type: str, returned: success}
'''

from ansible_collections.ondemand.caas.plugins.module_utils.cpi.desired_state import stemcell
from ansible_collections.ondemand.caas.plugins.module_utils.cpi.module import cpi_module, run_module


def main():
    module = cpi_module(dict(
        name=dict(type="str", required=True),
        version=dict(type="str", required=True),
        image_path=dict(type="path"),
        cloud_properties=dict(type="dict", default={}),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    ))
    run_module(module, stemcell)


if __name__ == "__main__":
    main()
