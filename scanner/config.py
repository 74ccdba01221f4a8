"""One configuration: posture.yaml, then command-line flags, then the environment (secrets only).

Every flag can live in the file. A repeatable flag (``--policies``, ``--format``, ``--github-org``,
...) adds to the file's list; a single-valued flag that contradicts the file is an error rather
than a silent override, because an audit's configuration file is part of its record.
Secrets never live here: tokens come from the environment or from files named here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

AllowErrors = Literal["none", "permission", "all"]

import yaml

from scanner.errors import ConfigError
from scanner.findings import Severity


class PlainLoader(yaml.SafeLoader):
    """A safe YAML loader that leaves dates as text.

    PyYAML turns ``2027-02-30`` into a ``datetime.date`` at parse time and raises a bare
    ValueError on an impossible one, with no file or line. Kept as text, the value reaches the
    validation that names the file, the field and the problem.
    """


PlainLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)  # type: ignore[arg-type]
)


def load_yaml(text: str) -> Any:
    """``yaml.safe_load`` with dates left as strings (see ``PlainLoader``)."""
    return yaml.load(text, Loader=PlainLoader)  # noqa: S506 - PlainLoader is a SafeLoader

TOP_KEYS: dict[str, type | tuple[type, ...]] = {
    "policies": list, "default_policies": bool, "format": list, "fail_on": str, "sinks": list,
    "waivers": str, "history": str, "no_history": bool, "new_only": bool, "concurrency": int,
    "cache": str, "allow_errors": str, "policy_params": dict,
}
# Top-level keys holding file paths: resolved against the config file's directory.
TOP_PATH_KEYS = frozenset({"policies", "waivers", "cache"})


def platform_names() -> list[str]:
    """The registered platforms, in registry order (read at call time: the registry is the truth)."""
    from scanner.collectors import PLATFORMS

    return list(PLATFORMS)


def source_keys(name: str) -> dict[str, type | tuple[type, ...]]:
    """The ``posture.yaml`` keys of platform ``name``'s section, with the types each may hold."""
    from scanner.collectors import platform

    return {o.key: o.python_types for o in platform(name).options}


def _list_items(section: str | None, key: str) -> tuple[type, ...]:
    if section is None:
        return (str,)
    from scanner.collectors import platform

    option = platform(section).option(key)
    return option.item_types if option is not None else (str,)


@dataclass(frozen=True)
class OutputSpec:
    """``--format NAME[:PATH]``: a format name and a file, or stdout when path is None."""

    name: str
    path: Path | None = None

    @classmethod
    def parse(cls, text: str) -> OutputSpec:
        name, sep, path = text.partition(":")
        if not name:
            raise ConfigError(f"--format {text!r}: expected NAME or NAME:PATH, e.g. json:findings.json")
        return cls(name.strip().lower(), Path(path).expanduser() if sep and path else None)


@dataclass(frozen=True)
class Settings:
    """The validated configuration of one run."""

    policies: tuple[Path, ...] = ()
    default_policies: bool = True
    formats: tuple[OutputSpec, ...] = ()
    fail_on: Severity = Severity.HIGH
    sinks: tuple[str, ...] = ()
    waivers: Path | None = None
    history: str | None = None
    no_history: bool = False
    new_only: bool = False
    concurrency: int = 4
    cache: Path | None = None
    # ERROR checks at or above fail_on that may pass the gate: none, permission (documented
    # missing permission or licence) or all (see scanner.pipeline.errors_gating).
    allow_errors: AllowErrors = "none"
    policy_params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    sources: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def enabled_sources(self) -> list[str]:
        return [p for p in platform_names() if p in self.sources]


def read_config_file(path: Path) -> dict[str, Any]:
    """Parse and validate posture.yaml into a plain dict with paths resolved."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such configuration file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read configuration ({exc})") from exc
    try:
        data = load_yaml(text)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else "?"
        raise ConfigError(f"{path}:{line}: invalid YAML: {exc.problem}") from exc
    except (yaml.YAMLError, RecursionError) as exc:
        raise ConfigError(f"{path}: invalid YAML ({type(exc).__name__})") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the configuration must be a mapping of settings (fail_on: high, github: ...)")
    names = platform_names()
    _check_keys(data, {**TOP_KEYS, **{p: dict for p in names}}, str(path), "")
    for name in names:
        if name in data:
            section = data[name] or {}
            _check_keys(section, source_keys(name), str(path), f"{name}.", section=name)
            data[name] = section
    return _resolve_paths(data, path.parent)


def _check_keys(data: Mapping[str, Any], allowed: Mapping[str, type | tuple[type, ...]], origin: str, prefix: str,
                section: str | None = None) -> None:
    for key, value in data.items():
        if key not in allowed:
            known = ", ".join(sorted(allowed))
            raise ConfigError(f"{origin}: unknown setting '{prefix}{key}'; known settings: {known}")
        expected = allowed[key]
        if value is not None and (not isinstance(value, expected) or (isinstance(value, bool) and expected is int)):
            names = expected.__name__ if isinstance(expected, type) else " or ".join(t.__name__ for t in expected)
            raise ConfigError(f"{origin}: {prefix}{key} must be of type {names}, got {type(value).__name__}")
        if isinstance(value, list):
            items = _list_items(section, key)
            for item in value:
                if not isinstance(item, items) or isinstance(item, bool):
                    names = " or ".join(t.__name__ for t in items)
                    raise ConfigError(
                        f"{origin}: each item of {prefix}{key} must be a {names}, got {type(item).__name__} ({item!r:.40})"
                    )
        if isinstance(value, str) and key.endswith("url"):
            _refuse_user_info(value, f"{prefix}{key}")


def _refuse_user_info(url: str, where: str) -> None:
    """A URL carrying ``user:password@`` would put the password into findings, logs and history."""
    from urllib.parse import urlsplit

    try:
        netloc = urlsplit(url).netloc
    except ValueError:
        return  # malformed: the collector's own validation names the problem
    if "@" in netloc:
        raise ConfigError(
            f"{where}: the URL must not carry a user name or password (https://USER:***@HOST); "
            "give the credential through the environment or a token file instead"
        )


def _resolve_paths(data: dict[str, Any], base: Path) -> dict[str, Any]:
    def resolve(value: Any) -> Any:
        if isinstance(value, str) and "://" not in value:
            return str((base / Path(value).expanduser()).resolve()) if not Path(value).is_absolute() else value
        return value

    from scanner.collectors import platform

    out: dict[str, Any] = {}
    names = platform_names()
    for key, value in data.items():
        if isinstance(value, dict) and key in names:
            path_keys = platform(key).path_keys
            out[key] = {k: (resolve(v) if k in path_keys else v) for k, v in value.items()}
        elif key in TOP_PATH_KEYS:
            out[key] = [resolve(v) for v in value] if isinstance(value, list) else resolve(value)
        else:
            out[key] = value
    return out


def merge_flags(file_values: dict[str, Any], flags: Mapping[tuple[str, ...], Any], origin: str) -> dict[str, Any]:
    """Overlay flags given on the command line (keyed by config path) onto the file's values.

    Lists extend the file's list; scalars must agree with the file where both set them.
    """
    merged: dict[str, Any] = {k: (dict(v) if isinstance(v, dict) else v) for k, v in file_values.items()}
    for path, value in flags.items():
        target = merged
        for part in path[:-1]:
            target = target.setdefault(part, {})
        key = path[-1]
        current = target.get(key)
        flag_name = "--" + "-".join(path).replace("_", "-")
        if isinstance(value, (list, tuple)):
            target[key] = list(current or []) + [v for v in value if v not in (current or [])]
        elif current is not None and current != value:
            shown = "" if key.endswith("url") else f" {value!r}"  # a URL may carry a password: never echoed
            where = f"{'.'.join(path)}" if key.endswith("url") else f"{'.'.join(path)}: {current!r}"
            raise ConfigError(f"{flag_name}{shown} contradicts {where} in {origin}; remove one of them")
        else:
            target[key] = value
    return merged


def build_settings(values: Mapping[str, Any]) -> Settings:
    """Validate the merged values into Settings."""
    try:
        fail_on = Severity(str(values.get("fail_on", "high")).lower())
    except ValueError:
        allowed = ", ".join(s.value for s in Severity)
        raise ConfigError(f"fail_on {values.get('fail_on')!r} is not a severity; use one of: {allowed}") from None
    concurrency = values.get("concurrency", 4)
    if not isinstance(concurrency, int) or isinstance(concurrency, bool) or not 1 <= concurrency <= 64:
        raise ConfigError(f"concurrency must be a whole number from 1 to 64, got {concurrency!r}")
    allow_errors = values.get("allow_errors") or "none"
    if allow_errors not in ("none", "permission", "all"):
        raise ConfigError(f"allow_errors {allow_errors!r}: use none, permission or all")
    from scanner.collectors import platform

    sources: dict[str, dict[str, Any]] = {}
    for name in platform_names():
        section = values.get(name)
        if section is None:
            continue
        section = dict(section)
        if section.pop("enabled", True) is False:
            continue
        _check_keys(section, source_keys(name), "configuration", f"{name}.", section=name)
        descriptor = platform(name)
        if descriptor.required and not any(section.get(k) for k in descriptor.required):
            first = descriptor.option(descriptor.required[0])
            flag = f"{first.flag} {first.metavar or 'VALUE'}" if first is not None and first.flag else ""
            raise ConfigError(descriptor.notes.get("required") or (
                f"{name}: set {name}.{descriptor.required[0]} in the config" + (f" (or {flag})" if flag else "")
            ))
        if descriptor.validate is not None:
            descriptor.validate(section)  # the platform's own one-line errors, before any network call
        sources[name] = section
    params = values.get("policy_params") or {}
    return Settings(
        policies=tuple(Path(p) for p in values.get("policies") or ()),
        default_policies=bool(values.get("default_policies", True)),
        formats=tuple(OutputSpec.parse(f) for f in values.get("format") or ()),
        fail_on=fail_on,
        sinks=tuple(values.get("sinks") or ()),
        waivers=Path(values["waivers"]) if values.get("waivers") else None,
        history=values.get("history"),
        no_history=bool(values.get("no_history", False)),
        new_only=bool(values.get("new_only", False)),
        concurrency=concurrency,
        cache=Path(values["cache"]) if values.get("cache") else None,
        allow_errors=cast(AllowErrors, allow_errors),
        policy_params=params,
        sources=sources,
    )
