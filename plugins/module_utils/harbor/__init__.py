# -*- coding: utf-8 -*-
# Copyright: ondemand.caas developers
# Apache License 2.0 (see LICENSE)
"""Harbor REST API v2.0: client, argument specs and the project/robot resource logic."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type
