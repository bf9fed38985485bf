import os
import sys
from pathlib import Path

# Make tests/builders.py importable as `builders` from every test folder.
sys.path.insert(0, str(Path(__file__).parent))

# Network traffic from the tests stays on loopback: a --deep run anywhere in the suite (and
# every subprocess it starts) browses mDNS on 127.0.0.1 only, never on the machine's NICs.
os.environ.setdefault("OPENCLAW_AUDIT_MDNS_INTERFACES", "127.0.0.1")

# The real test gateway fixture (start_gateway), for the probe tests and the hostile battery.
pytest_plugins = ["gateway_fixture"]
