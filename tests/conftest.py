import os
import sys
import tempfile
from pathlib import Path

# Make tests/builders.py importable as `builders` from every test folder.
sys.path.insert(0, str(Path(__file__).parent))

# Network traffic from the tests stays on loopback: a --deep run anywhere in the suite (and
# every subprocess it starts) browses mDNS on 127.0.0.1 only, never on the machine's NICs.
os.environ.setdefault("OPENCLAW_AUDIT_MDNS_INTERFACES", "127.0.0.1")

# The advisory cache (openclaw.version.*) of the person running the tests must never leak into
# their results: every audit in the suite, subprocesses included, sees an empty cache dir.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="openclaw-audit-test-cache-")

# The real test gateway fixture (start_gateway), for the probe tests and the hostile battery.
pytest_plugins = ["gateway_fixture"]
