"""Collector registry: platform name -> "module:Class", imported lazily.

Strings, not imports, so boto3 loads only when AWS is scanned and a missing optional extra
is a clear error rather than an ImportError at start-up. A new platform adds one line here.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from scanner.errors import ConfigError

if TYPE_CHECKING:
    from scanner.collectors.base import Collector

COLLECTORS: dict[str, str] = {
    "github": "scanner.collectors.github.collector:GitHubCollector",
    "aws": "scanner.collectors.aws.collector:AwsCollector",
    "azure": "scanner.collectors.azure.collector:AzureCollector",
    "roster": "scanner.collectors.roster:RosterCollector",
}

# The pip extra that brings each platform's SDK, for the error when it is missing.
EXTRAS: dict[str, str] = {"github": "github", "aws": "aws", "azure": "azure", "roster": ""}


def load_collector(name: str) -> type[Collector]:
    """Import and return the collector class registered as ``name``."""
    try:
        target = COLLECTORS[name]
    except KeyError:
        raise ConfigError(f"unknown source {name!r}; known sources: {', '.join(COLLECTORS)}") from None
    module_name, _, class_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        extra = EXTRAS.get(name)
        hint = f"install it with: pip install 'posture[{extra}]'" if extra else "reinstall posture"
        raise ConfigError(f"the {name} collector needs a package that is not installed ({exc.name}); {hint}") from exc
    collector: type[Collector] = getattr(module, class_name)
    return collector
