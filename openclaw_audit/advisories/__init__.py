"""Known vulnerabilities of OpenClaw: OSV advisory data, OpenClaw's version order, matching.

Imports nothing above the report model; the network client (``update``) is imported only by
``openclaw-audit advisories update``, never by an audit.
"""
