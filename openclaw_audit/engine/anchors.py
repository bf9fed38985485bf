"""Anchor findings that carry no config location at the config path their check names.

A live probe sees a URL, not a config line; the catalog says which setting controls what it
saw (``define(..., anchor="gateway.auth")``). SARIF and other located outputs then point at
that setting, and the probed URL stays on the location as evidence.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from openclaw_audit.config.view import ConfigView
from openclaw_audit.engine.registry import catalog as registry_catalog
from openclaw_audit.report.model import Finding


def anchored(findings: Iterable[Finding], config: ConfigView) -> list[Finding]:
    catalog = registry_catalog()  # the index: metadata only, no check module imported
    out: list[Finding] = []
    for finding in findings:
        loc = finding.location
        if loc is None or (loc.file is None and loc.config_path is None):
            meta = catalog.meta_for(finding.check_id)
            if meta is not None and meta.anchor:
                at = config.location(meta.anchor)
                finding = replace(finding, location=replace(at, uri=loc.uri if loc else None))
        out.append(finding)
    return out
