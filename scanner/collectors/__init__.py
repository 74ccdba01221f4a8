"""The platform registry: name -> "module:PLATFORM", each an SDK-free descriptor imported lazily.

Strings, not imports, so ``posture --help`` loads no SDK and a missing optional extra is a clear
error when that platform runs. The CLI flags, ``posture.yaml`` keys, secret variables, people
linking and the people sheet are all read from these descriptors: a new platform adds its
package (with ``platform.py``) and one line here.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from scanner.errors import ConfigError

if TYPE_CHECKING:
    from scanner.collectors.base import Collector
    from scanner.collectors.descriptor import Platform

PLATFORMS: dict[str, str] = {
    "github": "scanner.collectors.github.platform:PLATFORM",
    "aws": "scanner.collectors.aws.platform:PLATFORM",
    "azure": "scanner.collectors.azure.platform:PLATFORM",
    "gcp": "scanner.collectors.gcp.platform:PLATFORM",
    "intune": "scanner.collectors.intune.platform:PLATFORM",
    "atlassian": "scanner.collectors.atlassian.platform:PLATFORM",
    "roster": "scanner.collectors.roster_platform:PLATFORM",
}


def platform(name: str) -> Platform:
    """The descriptor registered as ``name``."""
    try:
        target = PLATFORMS[name]
    except KeyError:
        raise ConfigError(f"unknown source {name!r}; known sources: {', '.join(PLATFORMS)}") from None
    module_name, _, attribute = target.partition(":")
    descriptor: Platform = getattr(importlib.import_module(module_name), attribute)
    return descriptor


def platforms() -> list[Platform]:
    """Every registered descriptor, in registry order (the order sources are listed and run)."""
    return [platform(name) for name in PLATFORMS]


def load_collector(name: str) -> type[Collector]:
    """Import and return the collector class of platform ``name`` (its SDK loads now)."""
    return platform(name).collector_class()
