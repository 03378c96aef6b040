# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # Connection options of every harbor_* module (plugins/module_utils/harbor/args.py connection_spec()).
    DOCUMENTATION = r'''
options:
  url:
    description:
      - Harbor address, C(https://host[:port]) (C(https://) is assumed when no scheme is given).
      - If not set, the environment variable E(HARBOR_URL) is used (an AWX credential type can inject it).
    type: str
    required: true
  username:
    description:
      - User for HTTP basic auth, for example C(admin).
      - If not set, the environment variable E(HARBOR_USERNAME) is used.
    type: str
  password:
    description:
      - Password of O(username).
      - If not set, the environment variable E(HARBOR_PASSWORD) is used.
    type: str
  validate_certs:
    description:
      - Verify Harbor's TLS certificate.
      - If not set, the environment variable E(HARBOR_VALIDATE_CERTS) is used.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file of the CA that signed Harbor's certificate (the cluster's C(ca-bundle.crt)).
      - If not set, the environment variable E(HARBOR_CA_PATH) is used.
    type: path
  request_timeout:
    description:
      - Seconds to wait for each HTTP request.
      - If not set, the environment variable E(HARBOR_REQUEST_TIMEOUT) is used.
    type: int
    default: 30
notes:
  - Talks to the Harbor REST API v2.0 (C(/api/v2.0)) through C(ansible.module_utils.urls).
'''
