"""Output formats: an explicit name -> writer mapping (strings, imported lazily).

A writer is ``write(report: Report, stream: TextIO) -> None``. A new format is one module and
one line here. Format options (``--ocsf-version``) reach the writers that take them through
``OPTIONS``: option name -> the writer's keyword.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from typing import Any, TextIO

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


OPTIONS: dict[str, dict[str, str]] = {
    "ocsf": {"ocsf_version": "version"},
}


def writer_for(name: str, **options: Any) -> Writer:
    """The writer registered as ``name`` with the options it takes bound (None = its default);
    a ConfigError listing the formats otherwise."""
    try:
        target = FORMATS[name]
    except KeyError:
        raise ConfigError(f"unknown output format {name!r}; formats: {', '.join(FORMATS)}") from None
    module_name, _, function = target.partition(":")
    module = importlib.import_module(module_name)
    writer: Writer = getattr(module, function)
    bound = {keyword: options[option] for option, keyword in OPTIONS.get(name, {}).items() if options.get(option) is not None}
    if bound:
        if name == "ocsf":
            from scanner.outputs.ocsf import check_version

            bound["version"] = check_version(str(bound["version"]))  # a bad version fails before writing
        return functools.partial(writer, **bound)
    return writer
