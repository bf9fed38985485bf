"""The current directory's ``.env`` may not redirect credentials or ``--fix`` (trust.md §4).

Whoever controls the directory an audit is started from controls its ``.env``. Loading it is
what OpenClaw does, so the static audit honours it; but a destination (gateway URL or port,
plaintext opt-in) or a location (home, state dir, config, credentials dir, include roots)
taken from it would let that directory send the user's token elsewhere, or point ``--fix`` at
other files. For the deep probe and ``--fix`` those variables are dropped unless the user
passes ``--trust-cwd-dotenv``.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping

# Variables that decide where a credential is sent or which files are read and changed.
LOCATION_VARS = (
    "OPENCLAW_GATEWAY_URL",
    "OPENCLAW_GATEWAY_PORT",
    "CLAWDBOT_GATEWAY_PORT",
    "OPENCLAW_ALLOW_INSECURE_PRIVATE_WS",
    "OPENCLAW_HOME",
    "OPENCLAW_STATE_DIR",
    "CLAWDBOT_STATE_DIR",
    "OPENCLAW_CONFIG_PATH",
    "CLAWDBOT_CONFIG_PATH",
    "OPENCLAW_OAUTH_DIR",
    "OPENCLAW_INCLUDE_ROOTS",
)


def guard_cwd_dotenv(
    env: MutableMapping[str, str], origin: MutableMapping[str, str], cwd_env: str
) -> Iterator[str]:
    """Remove the location variables that ``cwd_env`` supplied; yield one warning each
    (the variable's name, never its value)."""
    for name in LOCATION_VARS:
        if origin.get(name) == cwd_env:
            del env[name]
            del origin[name]
            yield (
                f"warning: ignoring {name} from {cwd_env}: a .env in the current directory "
                "may not choose where credentials are sent or which files --fix changes "
                "(pass --trust-cwd-dotenv to accept it)"
            )
