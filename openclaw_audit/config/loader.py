"""The load pipeline (config-model.md §2): locate → read → JSON5 → $include → env block →
${VAR} → SecretRefs. Produces the source and resolved views every check reads."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from openclaw_audit.config import json5
from openclaw_audit.config.dotenv import load_dotenv_into
from openclaw_audit.config.dotenv_guard import guard_cwd_dotenv
from openclaw_audit.config.envsubst import SubstResult, substitute
from openclaw_audit.config.include_scan import scan_include_files
from openclaw_audit.config.includes import IncludeResolver, IncludeRoots, js_type
from openclaw_audit.config.locate import AuditPaths, resolve_paths
from openclaw_audit.config.provenance import ProvNode
from openclaw_audit.config.reader import MAX_CONFIG_BYTES, MAX_INCLUDE_BYTES, parse_text, read_text
from openclaw_audit.config.secrets import resolve_secret_refs, target_paths
from openclaw_audit.config.view import ConfigView
from openclaw_audit.errors import ConfigError
from openclaw_audit.redaction import collect_secret_values

_ESCAPE = re.compile(r"\\[uUxX]")
_VAR_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True, slots=True)
class LoadedConfig:
    paths: AuditPaths
    exists: bool
    source: ConfigView
    resolved: ConfigView
    raw_root: Any
    include_files: tuple[str, ...]
    env: Mapping[str, str]
    secret_diagnostics: tuple[str, ...]
    warnings: tuple[str, ...]
    unresolved_paths: frozenset[tuple[str, ...]]
    secrets: frozenset[str]
    # Unset ${VAR} references: config path -> variable name.
    unresolved_vars: Mapping[tuple[str, ...], str] = field(default_factory=dict)
    duplicates: tuple[json5.Duplicate, ...] = ()  # keys repeated in one object, every file


def load_config(
    *,
    env: Mapping[str, str] | None = None,
    config_path: str | None = None,
    state_dir: str | None = None,
    allow_exec: bool = False,
    cwd_dotenv_locations: bool = True,
) -> LoadedConfig:
    """Load the config the way OpenClaw would. ``env=None`` means the real process environment
    (with .env files); tests pass an explicit mapping. ``cwd_dotenv_locations=False`` drops
    the variables of the current directory's .env that choose a destination or a file
    (trust.md §4), with a warning naming each."""
    origin: dict[str, str] = {}
    warnings: list[str] = []
    if env is None:
        work_env = dict(os.environ)
        cwd_env = os.path.join(os.getcwd(), ".env")
        origin.update(dict.fromkeys(load_dotenv_into(work_env, cwd_env), cwd_env))
        if not cwd_dotenv_locations:
            warnings.extend(guard_cwd_dotenv(work_env, origin, cwd_env))
        paths = resolve_paths(work_env, config_path=config_path, state_dir=state_dir)
        state_env = os.path.join(paths.state_dir, ".env")
        if state_env != cwd_env:
            origin.update(dict.fromkeys(load_dotenv_into(work_env, state_env), state_env))
    else:
        work_env = dict(env)
    paths = resolve_paths(work_env, config_path=config_path, state_dir=state_dir)

    raw: Any = {}
    prov: ProvNode | None = None
    text = ""
    duplicates: list[json5.Duplicate] = []
    exists = os.path.lexists(paths.config_path)
    if exists:
        text, _ = read_text(paths.config_path, max_bytes=MAX_CONFIG_BYTES)
        raw, prov = parse_text(text, paths.config_path, duplicates=duplicates)
        if not isinstance(raw, dict):
            raise ConfigError(
                f"config root must be an object, got {_kind(raw)}",
                file=paths.config_path,
                line=1,
                column=1,
            )
    resolver = IncludeResolver(
        paths.config_path, IncludeRoots.for_config(paths.config_path, work_env)
    )
    # The walks below rebuild the whole tree; skip them when the text cannot need them
    # (a 10,000-account config spends most of its load time there otherwise).
    # A "$" written as a \u0024 or \x24 escape defeats the text test: then always walk.
    escaped = _ESCAPE.search(text) is not None
    if escaped or "$include" in text:
        merged, mprov = resolver.resolve(raw, prov)
    else:
        merged, mprov = raw, prov
    may_substitute = escaped or "${" in text or resolver.may_substitute
    if not isinstance(merged, dict):
        raise ConfigError(
            f"config root must be an object after $include, got {_kind(merged)}",
            file=paths.config_path,
        )
    _apply_env_block(merged, work_env)
    subst = substitute(merged, mprov, work_env) if may_substitute else SubstResult(merged, mprov)
    source: dict[str, Any] = subst.value
    warnings.extend(
        f"warning: {'.'.join(path)}: environment variable {name} is missing or empty; "
        "treating the value as unset"
        for path, name in subst.unresolved.items()
    )
    # Outside SecretRef fields OpenClaw keeps the reference as text (config-model.md §4).
    warnings.extend(
        f"warning: {'.'.join(path)}: environment variable {name} is missing or empty; "
        f"the value keeps the literal text ${{{name}}}"
        for path, name in subst.literal.items()
    )
    diagnostics: list[str] = []
    targets = set(target_paths(merged))
    for path, name in subst.unresolved.items():
        if path in targets:
            dotted = ".".join(path)
            diagnostics.append(
                f"security audit: failed to resolve {dotted} locally "
                f'(Environment variable "{name}" is missing or empty.).'
            )
            diagnostics.append(
                f"security audit: {dotted} is unavailable in this command path; continuing with "
                "degraded read-only config."
            )
    secrets = resolve_secret_refs(
        source, work_env, allow_exec=allow_exec, plain_paths=frozenset(subst.literal)
    )
    for line in secrets.diagnostics:
        if line not in diagnostics:
            diagnostics.append(line)
    resolved = _apply_resolution(source, secrets.resolved, secrets.unavailable)
    include_files = (
        scan_include_files(raw, paths.config_path, resolver.reader(_lenient_read))
        if exists and (escaped or "$include" in text)
        else ()
    )
    referenced = _referenced_vars(merged) if may_substitute else set()
    secret_values = set(secrets.values) | collect_secret_values(source, work_env, referenced)
    secret_values |= {v for v in secrets.resolved.values() if v.strip()}
    return LoadedConfig(
        paths=paths,
        exists=exists,
        source=ConfigView(source, subst.prov),
        resolved=ConfigView(resolved, subst.prov),
        raw_root=raw if exists else None,
        include_files=tuple(include_files),
        env=work_env,
        secret_diagnostics=tuple(diagnostics),
        warnings=tuple(warnings),
        unresolved_paths=frozenset(subst.unresolved),
        secrets=frozenset(secret_values),
        unresolved_vars=dict(subst.unresolved),
        duplicates=tuple(dict.fromkeys([*duplicates, *resolver.duplicates])),
    )


def _referenced_vars(config: Any) -> set[str]:
    """Names of the ``${VAR}`` references in the config (before substitution)."""
    names: set[str] = set()
    stack = [config]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str) and "${" in node:
            names.update(_VAR_REF.findall(node))
    return names


def _kind(value: Any) -> str:
    name = js_type(value)
    return name if name == "null" else f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def _apply_env_block(config: Mapping[str, Any], env: dict[str, str]) -> None:
    """``env.vars.NAME`` and shorthand ``env.NAME`` fill names not already set (§2 step 5)."""
    block = config.get("env")
    if not isinstance(block, Mapping):
        return
    vars_ = block.get("vars")
    if isinstance(vars_, Mapping):
        for name, value in vars_.items():
            if isinstance(value, str) and name not in env:
                env[name] = value
    for name, value in block.items():
        if name in ("vars", "shellEnv") or not isinstance(value, str):
            continue
        env.setdefault(name, value)


def _apply_resolution(
    source: dict[str, Any],
    resolved: Mapping[tuple[str, ...], str],
    unavailable: set[tuple[str, ...]],
) -> dict[str, Any]:
    if not resolved and not unavailable:
        return source
    out = _copy_paths(source, [*resolved, *unavailable])
    for path, value in resolved.items():
        parent = _parent(out, path)
        if parent is not None:
            parent[path[-1]] = value
    for path in unavailable:
        parent = _parent(out, path)
        if parent is not None:
            parent.pop(path[-1], None)
    return out


def _copy_paths(source: dict[str, Any], paths: list[tuple[str, ...]]) -> dict[str, Any]:
    """Copy only the dicts along ``paths`` so the source view stays untouched."""
    out = dict(source)
    for path in paths:
        node = out
        for part in path[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                break
            child = dict(child)
            node[part] = child
            node = child
    return out


def _parent(root: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any] | None:
    node: Any = root
    for part in path[:-1]:
        node = node.get(part) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else None


def _lenient_read(path: str) -> Any:
    try:
        text, _ = read_text(path, max_bytes=MAX_INCLUDE_BYTES, what="include file")
        return json5.loads(text)
    except (ConfigError, json5.JSON5Error, RecursionError):
        return None
