"""The static check catalog. Every module here registers its checks on import
(``openclaw_audit.engine.registry.load_catalog`` imports them all); modules starting with ``_`` are
shared helpers, not checks."""
