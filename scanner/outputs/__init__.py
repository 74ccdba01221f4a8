"""Output formats: an explicit name -> writer mapping (strings, imported lazily).

A writer is ``write(report: Report, stream: TextIO) -> None``. A new format is one module and
one line here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TextIO

from scanner.errors import ConfigError
from scanner.findings import Report

Writer = Callable[[Report, TextIO], None]

FORMATS: dict[str, str] = {
    "json": "scanner.outputs.json:write",
    "ocsf": "scanner.outputs.ocsf:write",
    "csv": "scanner.outputs.csv:write",
    "markdown": "scanner.outputs.markdown:write",
    "sarif": "scanner.outputs.sarif:write",
    "html": "scanner.outputs.html:write",
}


def writer_for(name: str) -> Writer:
    """The writer registered as ``name``; a ConfigError listing the formats otherwise."""
    try:
        target = FORMATS[name]
    except KeyError:
        raise ConfigError(f"unknown output format {name!r}; formats: {', '.join(FORMATS)}") from None
    module_name, _, function = target.partition(":")
    module = importlib.import_module(module_name)
    writer: Writer = getattr(module, function)
    return writer
