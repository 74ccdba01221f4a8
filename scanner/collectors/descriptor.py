"""What a platform declares about itself: the SDK-free descriptor every ``<platform>/platform.py`` exports.

The CLI, the configuration, the pipeline, people correlation, the people sheet and the
compliance view read these declarations from the registry (``scanner.collectors.PLATFORMS``)
instead of keeping per-platform lists. A platform's ``platform.py`` imports nothing heavier than
this module and the inventory types, so ``posture --help`` never loads boto3 or azure-identity.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from scanner.collectors.base import CollectContext, Collector
    from scanner.inventory.types import AccountKind

OptionKind = Literal["string", "integer", "boolean", "list", "mapping", "string_or_integer", "string_or_mapping"]
KIND_TYPES: Mapping[str, tuple[type, ...]] = {
    "string": (str,), "integer": (int,), "boolean": (bool,), "list": (list,), "mapping": (dict,),
    "string_or_integer": (str, int), "string_or_mapping": (str, dict),
}


@dataclass(frozen=True)
class Option:
    """One setting of a platform: its key in the platform's ``posture.yaml`` section and its CLI flag.

    ``kind`` is the JSON kind the file must hold. ``flag`` is the command-line spelling (None for
    file-only settings). A ``list`` option is repeatable on the command line unless ``csv`` is set,
    in which case one comma-separated value is split. ``path`` marks file paths, resolved against
    the config file's directory (file) or the working directory (flag).
    """

    key: str
    kind: OptionKind
    help: str
    flag: str | None = None
    metavar: str | None = None
    csv: bool = False
    path: bool = False
    choices: tuple[str, ...] | None = None
    item_kind: OptionKind = "string"  # the kind of each item of a ``list`` option

    @property
    def python_types(self) -> tuple[type, ...]:
        """The Python types a ``posture.yaml`` value of this option may have."""
        return KIND_TYPES[self.kind]

    @property
    def item_types(self) -> tuple[type, ...]:
        return KIND_TYPES[self.item_kind]


@dataclass(frozen=True)
class Unit:
    """One unit of collection (DESIGN §1): one GitHub org, one AWS account, one Azure tenant, ...

    ``key`` is stable and unique across a run (``github:acme``, ``aws:123456789012``); ``credential``
    names the rate budget the unit spends (units sharing it share one limit); ``settings`` is the
    platform's raw settings narrowed to this unit, so a worker can collect it alone.
    """

    platform: str
    key: str
    credential: str
    settings: Mapping[str, Any]


@dataclass(frozen=True)
class Platform:
    """A platform's declaration. ``collector`` is ``"module:Class"``, imported only when it runs.

    ``enable_flag``: the switch that turns the platform on with no other setting (``--aws``), or
    None when a required setting does (``--github-org``). ``required``: the settings keys at least
    one of which must be present once the platform is enabled (the error names the flag).
    ``account_types``: the inventory types that are people's accounts on this platform (their
    ``AccountKind`` lives with the inventory types so ``inventory/`` stays a leaf).
    ``account_kinds``: kinds declared here instead, for a platform whose types module is not in
    the inventory registry (a plugin, a test's toy platform); correlation merges both.
    ``units``: splits validated raw settings into collection units (before discovery).
    ``validate``: parses the platform's section (raising ConfigError with a one-line message) when
    the configuration is built, so a bad value stops every command before any network call.
    """

    name: str
    title: str
    extra: str
    collector: str
    options: tuple[Option, ...]
    secret_env: tuple[str, ...] = ()
    enable_flag: str | None = None
    required: tuple[str, ...] = ()
    account_types: tuple[str, ...] = ()
    account_kinds: tuple[AccountKind, ...] = ()
    cis_benchmark: str | None = None  # the CIS benchmark policies cite (``posture report --framework cis-<name>``)
    units: Callable[[Mapping[str, Any]], list[Unit]] | None = None
    validate: Callable[[Mapping[str, Any]], object] | None = None
    notes: Mapping[str, str] = field(default_factory=dict)

    @property
    def path_keys(self) -> frozenset[str]:
        return frozenset(o.key for o in self.options if o.path)

    def option(self, key: str) -> Option | None:
        for option in self.options:
            if option.key == key:
                return option
        return None

    def collector_class(self) -> type[Collector]:
        """Import the collector (and its SDK) now; a missing extra is a one-line ConfigError."""
        import importlib

        from scanner.errors import ConfigError

        module_name, _, class_name = self.collector.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            hint = f"install it with: pip install 'posture-audit[{self.extra}]'" if self.extra else "reinstall posture"
            raise ConfigError(f"the {self.name} collector needs a package that is not installed ({exc.name}); {hint}") from exc
        collector: type[Collector] = getattr(module, class_name)
        return collector

    def make_collector(self, settings: Mapping[str, Any], context: CollectContext) -> Collector:
        return self.collector_class()(settings, context)
