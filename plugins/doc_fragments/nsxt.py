# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # Connection options of every nsxt_* module (plugins/module_utils/nsxt/args.py connection_spec()).
    DOCUMENTATION = r'''
options:
  host:
    description:
      - NSX-T Manager address, C(host) or C(host:port), optionally with C(https://).
      - If not set, the environment variable E(NSXT_HOST) is used (an AWX credential type can inject it).
    type: str
    required: true
  username:
    description:
      - User name for basic auth or the session.
      - If not set, the environment variable E(NSXT_USERNAME) is used.
    type: str
  password:
    description:
      - Password of O(username).
      - If not set, the environment variable E(NSXT_PASSWORD) is used.
    type: str
  validate_certs:
    description:
      - Verify the NSX-T Manager's TLS certificate.
      - If not set, the environment variable E(NSXT_VALIDATE_CERTS) is used.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file of the CA (or the self-signed certificate) that signed the NSX-T Manager certificate.
      - If not set, the environment variable E(NSXT_CA_PATH) is used.
    type: path
  auth_mode:
    description:
      - V(basic) sends HTTP basic auth on every request; V(session) creates one session with
        C(POST /api/session/create) and sends its cookie and C(X-XSRF-TOKEN).
      - If not set, the environment variable E(NSXT_AUTH_MODE) is used.
    type: str
    choices: [basic, session]
    default: basic
  request_timeout:
    description:
      - Seconds to wait for each HTTP request. Requests answered 429 or 503 are retried up to 4 times
        with back-off (honouring C(Retry-After)).
      - If not set, the environment variable E(NSXT_REQUEST_TIMEOUT) is used.
    type: int
    default: 30
'''

    # Options of every managed Policy object (plugins/module_utils/nsxt/args.py object_spec()).
    OBJECT = r'''
options:
  id:
    description:
      - Policy object id, the last element of its path. 1-255 characters from C([A-Za-z0-9_.-]).
    type: str
    required: true
  display_name:
    description:
      - Display name. NSX-T defaults it to O(id).
    type: str
  description:
    description:
      - Free text description.
    type: str
  tags:
    description:
      - Tags of the object. When given, they replace the object's tags (plus the cluster tag, see O(cluster)).
    type: list
    elements: dict
    suboptions:
      scope:
        description: Tag scope.
        type: str
        default: ''
      tag:
        description: Tag value.
        type: str
        required: true
  cluster:
    description:
      - Name of the ondemand.caas cluster owning the object. Adds the tag C(ondemand.caas/cluster=<cluster>).
      - An existing object tagged for another cluster is never modified or deleted (the module fails instead).
    type: str
  state:
    description:
      - V(present) creates or updates the object (PATCH with the fields set here only); V(absent) deletes it
        and waits until NSX-T no longer returns it.
    type: str
    choices: [present, absent]
    default: present
  delete_timeout:
    description:
      - Seconds to wait for the object to disappear after DELETE.
    type: int
    default: 60
notes:
  - Supports check mode and diff mode. C(changed) is computed by comparing the fields set here with the object
    NSX-T holds, so a second identical run reports C(changed=false).
  - An update sends the C(_revision) just read; if NSX-T answers 412 (someone else changed the object), the
    module re-reads it once, compares again and retries.
'''

    REALIZATION = r'''
options:
  realization_timeout:
    description:
      - Seconds to wait for realization before failing with the last state seen.
    type: int
    default: 300
'''
