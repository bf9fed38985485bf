"""Shared fixtures for the probe tests: the anyio backend (the real test gateway fixture,
``start_gateway``, comes from tests/gateway_fixture.py via the root conftest)."""

from __future__ import annotations

import pytest
from gateway_fixture import REPO, RunningGateway


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # zeroconf's async API and websockets' asyncio client need it


__all__ = ["REPO", "RunningGateway"]
