"""Plugin ids bundled with OpenClaw 2026.9.6 (checks-plugins-skills.md §1.1).

Data, not logic: the directory names under the npm package's ``dist/extensions/`` for
``openclaw@2026.9.6`` (one, ``image-generation-core``, ships without a manifest). Together with
the channel ids they are the plugin ids an allowlist may name without anything installed.
Update this list with the OpenClaw version the audit matches.
"""

from __future__ import annotations

from openclaw_audit.facts.channel_accounts import KNOWN_CHANNELS

OPENCLAW_VERSION = "2026.9.6"

BUNDLED_PLUGIN_IDS: tuple[str, ...] = (
    "a2a",
    "active-memory",
    "admin-http-rpc",
    "alibaba",
    "anthropic",
    "apple-fm",
    "azure-speech",
    "beam",
    "bonjour",
    "browser",
    "canvas",
    "clawrouter",
    "code-mode-quickjs",
    "copilot-proxy",
    "crabbox",
    "cua-computer",
    "deepgram",
    "device-pair",
    "document-extract",
    "elevenlabs",
    "fal",
    "file-transfer",
    "geolocation",
    "github",
    "github-copilot",
    "google",
    "huggingface",
    "image-generation-core",
    "imap",
    "linux-node",
    "litellm",
    "llm-task",
    "lmstudio",
    "logbook",
    "memory-core",
    "memory-wiki",
    "microsoft",
    "microsoft-foundry",
    "migrate-claude",
    "migrate-hermes",
    "minimax",
    "nvidia",
    "oc-path",
    "ollama",
    "onepassword",
    "openai",
    "opencode-go",
    "openrouter",
    "policy",
    "reef",
    "runway",
    "senseaudio",
    "session-share",
    "sglang",
    "talk-voice",
    "telegram",
    "together",
    "tts-local-cli",
    "vault",
    "vllm",
    "web-readability",
    "webhooks",
    "workboard",
    "xai",
)

# Known without an install: every bundled plugin and every channel id.
BUILTIN_PLUGIN_IDS: frozenset[str] = frozenset(
    (*BUNDLED_PLUGIN_IDS, *(channel.id for channel in KNOWN_CHANNELS))
)
