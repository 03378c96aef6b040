# -*- coding: utf-8 -*-
"""Where the integration tests find the checkout, its ansible-playbook and the artefact cache."""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLAYBOOK_BIN = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
CACHE = os.environ.get("CAAS_CACHE_DIR", "/var/cache/ondemand-caas")
