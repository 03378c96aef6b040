#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: cpi_info
short_description: What the CPI behind a provider supports (BOSH C(info))
version_added: 0.1.0
description:
  - Returns the CPI API version and the stemcell formats of the selected provider.
author: ondemand.caas developers (@ondemand)
extends_documentation_fragment:
  - ondemand.caas.cpi
  - ondemand.caas.cpi.vsphere
  - ondemand.caas.cpi.attributes
options: {}
'''

EXAMPLES = r'''
- name: Which stemcell formats does vCenter take?
  ondemand.caas.cpi_info:
    provider: vsphere
  register: cpi
'''

RETURN = r'''
info:
  description: The BOSH C(info) result.
  returned: always
  type: dict
  contains:
    api_version: {description: CPI API version (2)., type: int, returned: success}
    stemcell_formats: {description: Stemcell formats the provider imports., type: list, elements: str, returned: success}
provider:
  description: The provider asked.
  returned: always
  type: str
'''

from ansible_collections.ondemand.caas.plugins.module_utils.cpi.desired_state import info
from ansible_collections.ondemand.caas.plugins.module_utils.cpi.module import cpi_module, run_module


def main():
    run_module(cpi_module({}), info)


if __name__ == "__main__":
    main()
