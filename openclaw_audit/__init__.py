"""openclaw-audit: a security auditor for OpenClaw gateways."""

__version__ = "0.1.0"
