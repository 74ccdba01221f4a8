"""The `posture` command line. The ONLY place that exits or maps errors to exit codes.

Exit codes (for CI; they fail closed):
    0  nothing failed at or above --fail-on, and everything was read
    1  failures at or above --fail-on (with --new-only and a previous complete run: new ones only)
    2  bad input or configuration (flags, posture.yaml, policies, waivers, snapshot, an output that
       cannot be written, credentials rejected by every source); nothing is recorded
    3  incomplete: a source failed or was read only in part for a cause other than a documented
       missing permission or licence, checks at or above --fail-on could not be evaluated (ERROR)
       and --allow-errors does not accept them, a sink or the history store could not be reached
    4  internal error (a bug: please report it with the output of -v)
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, TextIO

import click
from click.core import ParameterSource
from rich.console import Console

from scanner import __version__
from scanner.collectors.base import CollectContext
from scanner.config import Settings, build_settings, merge_flags, read_config_file
from scanner.outputs.safe import one_line
from scanner.errors import ConfigError, PostureError
from scanner.findings import Report, Severity
from scanner.inventory.snapshot import Inventory, utc_now_iso
from scanner.inventory.types import RESOURCE_TYPES
from scanner.outputs import FORMATS
from scanner.outputs.console import LogProgress, RichProgress, render_plain, render_rich
from scanner.progress import Progress

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT, EXIT_INCOMPLETE, EXIT_INTERNAL = 0, 1, 2, 3, 4
SEVERITIES = [s.value for s in Severity]

# flag parameter name -> path in the configuration (see scanner/config.py); the platforms'
# flags are added from their descriptors (platform_flags below).
TOP_FLAG_PATHS: dict[str, tuple[str, ...]] = {
    "policies": ("policies",), "no_default_policies": ("default_policies",), "formats": ("format",),
    "fail_on": ("fail_on",), "sinks": ("sinks",), "waivers": ("waivers",), "history": ("history",),
    "no_history": ("no_history",), "new_only": ("new_only",), "concurrency": ("concurrency",), "cache": ("cache",),
    "allow_errors": ("allow_errors",),
}
TOP_PATH_FLAGS = frozenset({"policies", "waivers", "cache"})


def _param(platform_name: str, key: str) -> str:
    """The click parameter name of a platform option (unique across platforms)."""
    return f"{platform_name}__{key}"


def platform_flags() -> dict[str, tuple[Any, Any]]:
    """Parameter name -> (descriptor, option) for every platform option that has a flag."""
    from scanner.collectors import platforms

    return {_param(p.name, o.key): (p, o) for p in platforms() for o in p.options if o.flag}


def _options(*decorators: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def apply(function: Any) -> Any:
        for decorator in reversed(decorators):
            function = decorator(function)
        return function

    return apply


def _csv(_ctx: click.Context, _param: click.Parameter, value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


common_options = _options(
    click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
                 help="posture.yaml with any of these settings (default: ./posture.yaml if present)."),
    click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors (and the formats sent to stdout)."),
    click.option("-v", "--verbose", count=True,
                 help="More detail: -v shows progress events and error causes, -vv adds the libraries' INFO logs."),
)

def _click_param(platform_name: str, option: Any) -> click.Option:
    """The click option of one descriptor Option: repeatable list, comma-separated list, switch, value."""
    decls = [option.flag, _param(platform_name, option.key)]
    kwargs: dict[str, Any] = {"help": option.help}
    if option.metavar:
        kwargs["metavar"] = option.metavar
    if option.kind == "boolean":
        return click.Option(decls, is_flag=True, default=None, **kwargs)
    if option.kind == "list" and option.csv:
        return click.Option(decls, callback=_csv, **kwargs)
    if option.kind == "list":
        return click.Option(decls, multiple=True, **kwargs)
    if option.choices:
        kwargs["type"] = click.Choice(list(option.choices))
    elif option.path:
        kwargs["type"] = click.Path(dir_okay=False)
    elif option.kind == "integer":
        kwargs["type"] = int
    return click.Option(decls, **kwargs)


def _platform_command(only: str | None = None) -> type[click.Command]:
    """A command class whose platform flags are read from the registry when it runs or shows help,
    so a platform registered in ``scanner.collectors.PLATFORMS`` needs no edit here."""

    class PlatformCommand(click.Command):
        def get_params(self, ctx: click.Context) -> list[click.Parameter]:
            from scanner.collectors import platforms

            declared: list[click.Parameter] = [
                _click_param(p.name, o) for p in platforms() if only in (None, p.name) for o in p.options if o.flag
            ]
            return declared + super().get_params(ctx)

    return PlatformCommand


source_options = _options(
    click.option("--cache", type=click.Path(file_okay=False), help="Directory for the HTTP ETag cache (re-scans answered by 304s)."),
    click.option("--concurrency", type=int, help="Parallel requests per source (default 4)."),
)

evaluation_options = _options(
    click.option("--policies", multiple=True, type=click.Path(exists=False), metavar="DIR",
                 help="Extra policy directory or file (repeatable), added to the shipped baseline."),
    click.option("--no-default-policies", is_flag=True, default=None, help="Do not load the shipped baseline."),
    click.option("--format", "formats", multiple=True, metavar="NAME[:PATH]",
                 help=f"Write findings as NAME ({', '.join(FORMATS)}) to PATH, or stdout (repeatable)."),
    click.option("--fail-on", type=click.Choice(SEVERITIES, case_sensitive=False),
                 help="Exit 1 when a failure at or above this severity exists (default high)."),
    click.option("--new-only", is_flag=True, default=None,
                 help="With --fail-on: only failures new since the last complete run count (all are new without one)."),
    click.option("--allow-errors", type=click.Choice(["none", "permission", "all"]),
                 help="Checks at or above --fail-on that could not be evaluated (ERROR) exit 3 (none, the default); "
                      "permission: accept those caused by a documented missing permission or licence; all: accept any."),
    click.option("--waivers", type=click.Path(dir_okay=False), help="Waivers file (accepted risks with owner and expiry)."),
    click.option("--history", metavar="URL", help="Run store: SQLAlchemy URL or SQLite path (default: user state dir)."),
    click.option("--no-history", is_flag=True, default=None, help="Do not record this run or compare with the last one."),
    click.option("--sink", "sinks", multiple=True, metavar="URL",
                 help="Send OCSF findings to a SIEM: syslog://, syslog+tcp://, syslog+tls://, splunk-hec:// (repeatable)."),
    # Output selection (outputs: selection of findings and format options). History and the exit
    # code see every finding; these choose what is written and sent.
    click.option("--policy", "select_policies", multiple=True, metavar="ID|GLOB",
                 help="Only findings of these policies in outputs and sinks (repeatable, comma-separated)."),
    click.option("--exclude-policy", "exclude_policies", multiple=True, metavar="ID|GLOB",
                 help="Leave these policies' findings out of outputs and sinks (repeatable)."),
    click.option("--severity", "select_severities", multiple=True, metavar="LIST",
                 help="Only these severities in outputs and sinks, e.g. critical,high."),
    click.option("--status", "select_statuses", multiple=True, metavar="LIST",
                 help="Only these statuses in outputs and sinks, e.g. FAIL,ERROR (history keeps everything)."),
    click.option("--ocsf-version", type=click.Choice(["1.1", "1.2", "1.3", "1.4", "1.5"]),
                 help="OCSF schema version of --format ocsf (default 1.5)."),
)


def _output_selection(policies: list[Any]) -> tuple[Any, str | None]:
    """(Selection, OCSF version) from the running command's flags; ConfigError on a bad value."""
    from scanner.findings import Selection

    params = click.get_current_context().params
    try:
        selection = Selection.parse(params.get("select_policies") or (), params.get("exclude_policies") or (),
                                    params.get("select_severities") or (), params.get("select_statuses") or ())
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    unmatched = selection.unmatched_patterns(p.id for p in policies)
    if unmatched:
        raise ConfigError(f"--policy/--exclude-policy {unmatched[0]!r} matches no loaded policy (see `posture policies list`)")
    return selection, params.get("ocsf_version")



def _settings(ctx: click.Context, params: dict[str, Any], config_file: Path | None) -> Settings:
    """Config file values overlaid with the flags actually given on the command line."""
    return build_settings(_setting_values(ctx, params, config_file))


def _setting_values(ctx: click.Context, params: dict[str, Any], config_file: Path | None) -> dict[str, Any]:
    """The merged configuration as plain JSON values (what a Celery task carries to a worker)."""
    if config_file is None and Path("posture.yaml").is_file():
        config_file = Path("posture.yaml")
    file_values = read_config_file(config_file) if config_file else {}
    flags: dict[tuple[str, ...], Any] = {}
    declared = platform_flags()
    paths = {**TOP_FLAG_PATHS, **{name: (p.name, o.key) for name, (p, o) in declared.items()}}
    path_flags = TOP_PATH_FLAGS | {name for name, (_p, o) in declared.items() if o.path}
    for name, path in paths.items():
        if name not in params or ctx.get_parameter_source(name) is not ParameterSource.COMMANDLINE:
            continue
        value = params[name]
        if value is None or value == ():
            continue
        if name == "no_default_policies":
            value = not value
        if isinstance(value, tuple):
            value = list(value)
        if name in path_flags:
            # Paths given on the command line are relative to the working directory.
            value = [str(Path(v).resolve()) for v in value] if isinstance(value, list) else str(Path(value).resolve())
        flags[path] = value
    return merge_flags(file_values, flags, str(config_file) if config_file else "the configuration")


def _console(stream: TextIO) -> Console:
    return Console(file=stream, highlight=False, soft_wrap=False)


def _interactive(stream: TextIO) -> bool:
    return stream.isatty() and not os.environ.get("CI")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, prog_name="posture")
def cli() -> None:
    """posture: audit a distributed engineering team's zero-trust baseline.

    Collect read-only data from GitHub, AWS, Azure / Entra ID and an HR roster, evaluate the
    declarative policies (YAML + CEL) and report findings for people (terminal, HTML, Markdown)
    and machines (JSON, OCSF for a SIEM, SARIF, CSV).

    \b
    Try it:      posture scan --demo
    Real audit:  posture scan --github-org ACME --aws --azure --roster people.csv --format html:report.html
    Offline:     posture collect --aws -o snap.json && posture evaluate snap.json
    """


@cli.command(cls=_platform_command())
@source_options
@evaluation_options
@common_options
@click.option("--demo", is_flag=True, help="Evaluate the bundled demo inventory (a fictional team) instead of collecting.")
@click.option("-o", "--snapshot", "snapshot_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also save the collected inventory to this snapshot file.")
@click.option("--executor", default="local", show_default=True, metavar="local|celery://HOST:6379/0",
              help="Where units are collected: here, or one Celery task per unit on the Redis broker's workers "
                   "(`posture worker`); the last task evaluates and writes outputs, history and sinks once.")
@click.option("--timeout", "executor_timeout", type=click.IntRange(1), default=4 * 3600, show_default=True,
              help="With --executor celery: seconds to wait for the whole run.")
@click.pass_context
def scan(ctx: click.Context, demo: bool, snapshot_path: Path | None, executor: str, executor_timeout: int,
         config_file: Path | None, quiet: bool, verbose: int, **params: Any) -> None:
    """Collect from the configured sources and evaluate the policies, in one go."""
    declared = platform_flags()
    given = [o.flag for n, (_p, o) in declared.items()
             if ctx.get_parameter_source(n) is ParameterSource.COMMANDLINE and params.get(n)]
    if demo and given:
        raise ConfigError(f"--demo evaluates the bundled inventory; drop {given[0]} or --demo")
    values = _setting_values(ctx, params, config_file)
    settings = build_settings(values)
    started = utc_now_iso()
    policies = _policies(settings)  # validate policies before spending time on collection
    if executor != "local":
        if demo or snapshot_path:
            raise ConfigError("--executor celery collects on the workers: drop --demo / -o, or use --executor local")
        _scan_on_celery(values, settings, executor, executor_timeout, quiet)
    if demo:
        from scanner.demo import load_demo

        if not quiet:
            click.echo("posture: demo data: Northwind, a fictional team (nothing was collected)", err=True)
        if ctx.get_parameter_source("history") is not ParameterSource.COMMANDLINE:
            # The demo never becomes part of the user's real run history (or its baselines).
            settings = replace(settings, no_history=True)
        _evaluate_and_report(settings, load_demo(), policies, started, quiet, scope="demo")
    else:
        context, progress = _collect_context(settings, quiet, verbose)
        _evaluate_and_report(settings, context, policies, started, quiet, snapshot=snapshot_path, progress=progress)


@cli.command(cls=_platform_command())
@source_options
@common_options
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Snapshot file to write (mode 0600).")
@click.option("--shard", metavar="K/N",
              help="Collect only shard K of N of the plan's units (stable by unit; see `posture plan`). "
                   "`posture evaluate part-*.json` merges the shards and reports a missing or doubled one.")
@click.pass_context
def collect(ctx: click.Context, output: Path, shard: str | None, config_file: Path | None, quiet: bool, verbose: int,
            **params: Any) -> None:
    """Collect an inventory snapshot, to evaluate later or elsewhere (no policies run)."""
    from scanner.executors.plan import parse_shard
    from scanner.pipeline import check_outputs, collect as collect_inventory, collect_shard, save_snapshot

    settings = _settings(ctx, params, config_file)
    part = parse_shard(shard) if shard else None
    check_outputs(settings, [(f"-o/--output {output}", output)])
    context, progress = _collect_context(settings, quiet, verbose)
    with progress:
        inventory = collect_inventory(settings, context) if part is None else collect_shard(settings, context, *part)
    save_snapshot(inventory, output)
    _report_failed_sources(inventory)
    if not quiet:
        counts: dict[str, int] = {}
        for resource in inventory.resources:
            counts[resource.type] = counts.get(resource.type, 0) + 1
        click.echo(f"wrote {output}: {len(inventory.resources)} resources "
                   f"({', '.join(f'{k} {v}' for k, v in sorted(counts.items())) or 'none'})", err=True)
        for source in inventory.sources:
            errors = () if source.status == "failed" else source.errors  # failed ones were just reported
            click.echo(f"  {one_line(source.name)}: {source.status}" + "".join(f"\n    error: {one_line(e)}" for e in errors),
                       err=True)
    from scanner.pipeline import sources_incomplete

    code = _source_exit_code(inventory)
    ctx.exit(EXIT_INCOMPLETE if code == EXIT_OK and sources_incomplete(inventory) else code)


@cli.command(cls=_platform_command())
@source_options
@common_options
@click.option("--shards", type=click.IntRange(1, 10_000), help="Also show which shard of N each unit falls in.")
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
@click.pass_context
def plan(ctx: click.Context, shards: int | None, as_json: bool, config_file: Path | None, quiet: bool, verbose: int,
         **params: Any) -> None:
    """List the collection units of the configuration, with the credential (rate budget) each spends.

    A unit is one GitHub organization, one AWS account, one Azure tenant, one GCP scope, one
    Atlassian organization, one roster file. AWS Organization mode discovers member accounts when
    it runs: the plan shows the organization as one unit.
    """
    import json as json_module

    from scanner.executors.plan import shard_of
    from scanner.pipeline import plan_for

    units = plan_for(_settings(ctx, params, config_file)).units
    rows = [{"unit": u.key, "platform": u.platform, "credential": u.credential,
             **({"shard": f"{shard_of(u.key, shards)}/{shards}"} if shards else {})} for u in units]
    if as_json:
        click.echo(json_module.dumps(rows, indent=2))
        return
    for row in rows:
        click.echo("  ".join(one_line(str(v)) for v in row.values()))
    if not quiet:
        click.echo(f"{len(rows)} unit(s)", err=True)


@cli.command()
@click.option("--broker", required=True, metavar="URL", help="Redis URL of the broker (redis://HOST:6379/0).")
@click.option("--backend", metavar="URL", help="Result backend (default: the broker).")
@click.option("--concurrency", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Units this worker collects at once.")
def worker(broker: str, backend: str | None, concurrency: int) -> None:
    """Run a Celery worker that collects units for `posture scan --executor celery://...`.

    Credentials come from this worker's environment (GITHUB_TOKEN, the AWS chain, azure-identity,
    Google ADC), never through the broker. A worker killed mid-unit loses nothing: the unit is
    delivered again to another worker (acks_late).
    """
    from scanner.executors.celery import make_app

    from scanner.ratelimit import SHARED_BUDGET_ENV

    app = make_app(_broker_url(broker), backend and _broker_url(backend))
    # Units sharing a credential share its rate budget across every worker (Redis token bucket).
    os.environ.setdefault(SHARED_BUDGET_ENV, _broker_url(broker))
    app.worker_main(["worker", "--loglevel=WARNING", f"--concurrency={concurrency}", "--without-gossip",
                     "--without-mingle"])


@cli.command(cls=_platform_command())
@source_options
@evaluation_options
@common_options
@click.option("--broker", required=True, metavar="URL", help="Redis URL of the broker (redis://HOST:6379/0).")
@click.option("--cron", required=True, metavar="EXPR",
              help='When to run the audit, as a crontab line in UTC: "17 6 * * 1" is Mondays 06:17.')
@click.pass_context
def schedule(ctx: click.Context, broker: str, cron: str, config_file: Path | None, quiet: bool, verbose: int,
             **params: Any) -> None:
    """Run the configured audit on a cadence (Celery beat): access reviews on a fixed cadence (OP-3).

    Each run is planned when it starts and its units go to the workers; history and sinks are
    written by the worker that finishes the run (use a PostgreSQL --history shared by the workers).
    """
    from celery.schedules import crontab

    from scanner.executors.celery import make_app

    values = _setting_values(ctx, params, config_file)
    build_settings(values)  # a bad configuration fails now, not at 06:17 next Monday
    fields = cron.split()
    if len(fields) != 5:
        raise ConfigError(f"--cron {cron!r}: expected five fields (minute hour day-of-month month day-of-week)")
    try:
        when = crontab(*fields)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"--cron {cron!r}: {exc}") from None
    app = make_app(_broker_url(broker))
    app.conf.beat_schedule = {"posture-audit": {"task": "posture.run_audit", "schedule": when, "args": (values,)}}
    app.conf.timezone = "UTC"
    app.start(["beat", "--loglevel=WARNING"])


def _broker_url(url: str) -> str:
    """``celery://HOST:PORT/DB`` (our --executor form) or a plain ``redis://`` / ``rediss://`` URL."""
    for prefix in ("celery+", "celery://"):
        if url.startswith(prefix):
            url = url[len(prefix):] if prefix == "celery+" else "redis://" + url[len(prefix):]
    if not url.startswith(("redis://", "rediss://")):
        raise ConfigError(f"{url!r}: the broker must be a Redis URL (redis://HOST:6379/0)")
    return url


@cli.command(cls=_platform_command("roster"))
@click.argument("snapshot_files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@evaluation_options
@common_options
@click.pass_context
def evaluate(ctx: click.Context, snapshot_files: tuple[Path, ...], config_file: Path | None, quiet: bool,
             verbose: int, **params: Any) -> None:
    """Evaluate one or more snapshots (shards are merged) without credentials or network.

    With --roster (or a roster: section in the config), the roster is read now and the
    snapshots' accounts are linked to it: cloud snapshots from CI, roster from HR.
    """
    from scanner.pipeline import check_outputs, load_inventory

    settings = _settings(ctx, params, config_file)
    started = utc_now_iso()
    policies = _policies(settings)
    check_outputs(settings)
    inventory = load_inventory(settings, snapshot_files, CollectContext(environ={}))
    _evaluate_and_report(settings, inventory, policies, started, quiet)


@cli.group()
def policies() -> None:
    """List, show and validate policies."""


def _policy_source_options(function: Any) -> Any:
    function = click.option("--no-default-policies", is_flag=True, help="Leave the shipped baseline out.")(function)
    return click.option("--policies", "extra", multiple=True, type=click.Path(), metavar="DIR",
                        help="Extra policy directory or file (repeatable).")(function)


def _listed_policies(extra: Sequence[str], no_default: bool) -> list[Any]:
    return _policies(build_settings({"policies": list(extra), "default_policies": not no_default}))


@policies.command("list")
@_policy_source_options
@click.option("--tag", help="Only policies with this tag.")
@click.option("--resource", "resource_type", help="Only policies on this resource type.")
@click.option("--platform", help="Only policies on resources of this platform (github, aws, azure, roster, ...).")
@click.option("--guide", help="Only policies enforcing this guide control (e.g. ZT-1).")
@click.option("--format", "output_format", type=click.Choice(["text", "markdown", "json"]), default="text",
              show_default=True, help="markdown: a table for documentation (the policy tables in docs/ are made so).")
def policies_list(extra: Sequence[str], no_default_policies: bool, tag: str | None, resource_type: str | None,
                  platform: str | None, guide: str | None, output_format: str) -> None:
    """List policies: id, severity, guide control, resource type, title."""
    rows = [p for p in _listed_policies(extra, no_default_policies)
            if (not tag or tag in p.tags) and (not resource_type or p.resource == resource_type)
            and (not platform or p.platform == platform)
            and (not guide or p.area.lower() == guide.lower())]
    if output_format == "json":
        import json as json_module

        click.echo(json_module.dumps([p.to_json() for p in rows], indent=2))
    elif output_format == "markdown":
        click.echo(policy_table(rows))
    else:
        for p in rows:
            click.echo(f"{p.id:55} {p.severity.value:8} {p.area:5} {p.resource:26} {p.title}")
    click.echo(f"{len(rows)} policies", err=True)


def policy_table(rows: Sequence[Any]) -> str:
    """A Markdown table of policies: id, resource, severity, guide control(s), CIS / NIST, title."""
    from scanner.compliance import guide_controls
    lines = ["| id | resource | severity | guide | CIS / NIST | checks that |", "|---|---|---|---|---|---|"]
    for p in rows:
        refs = "; ".join(p.references[k] for k in ("cis", "nist") if p.references.get(k)) or "—"
        guide = ", ".join(guide_controls(p.references)) or p.area
        lines.append(f"| `{p.id}` | {p.resource} | {p.severity.value} | {guide} | {refs} | {p.title} |")
    return "\n".join(lines)


@policies.command("show")
@click.argument("policy_id")
@_policy_source_options
def policies_show(policy_id: str, extra: Sequence[str], no_default_policies: bool) -> None:
    """Show one policy in full (YAML), with where it was loaded from."""
    import yaml

    for p in _listed_policies(extra, no_default_policies):
        if p.id == policy_id:
            click.echo(yaml.safe_dump([p.to_json()], sort_keys=False, allow_unicode=True, width=100).rstrip())
            return
    raise ConfigError(f"no policy {policy_id!r}; see `posture policies list`")


@policies.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def policies_validate(paths: tuple[Path, ...]) -> None:
    """Check policy files: YAML, schema, unique ids, CEL compiles, attributes exist (exit 2 on error)."""
    from scanner.policy.loader import collect_policies

    loaded, errors = collect_policies(paths)
    for error in errors:
        click.echo(f"error: {error}", err=True)
    if errors:
        raise click.exceptions.Exit(EXIT_BAD_INPUT)
    click.echo(f"ok: {len(loaded)} policies valid")


@cli.group()
def frameworks() -> None:
    """Compliance frameworks the report view groups findings by."""


@frameworks.command("list")
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
def frameworks_list(as_json: bool) -> None:
    """The frameworks `posture report --framework NAME` takes, with how many policies reference each."""
    import json as json_module

    from scanner.compliance import frameworks as known_frameworks
    from scanner.policy.loader import baseline_dir, load_policies

    policies = load_policies([baseline_dir()])
    rows = []
    for name, title in known_frameworks().items():
        key = "guide" if name == "guide" else "cis"
        platform_name = None if name == "guide" else name.removeprefix("cis-")
        count = sum(1 for p in policies if p.references.get(key) and (platform_name is None or p.platform == platform_name))
        rows.append({"name": name, "title": title, "policies": count})
    if as_json:
        click.echo(json_module.dumps(rows, indent=2))
        return
    for row in rows:
        click.echo(f"{row['name']:14} {row['policies']:4} policies  {row['title']}")


@cli.command()
@click.argument("type_name", required=False, metavar="[TYPE]")
def resources(type_name: str | None) -> None:
    """List resource types, or the declared attributes of TYPE (what policies can read)."""
    if type_name is None:
        for name, rtype in sorted(RESOURCE_TYPES.items()):
            click.echo(f"{name:28} {len(rtype.attributes):3} attributes  {rtype.description}")
        return
    declared = RESOURCE_TYPES.get(type_name)
    if declared is None:
        raise ConfigError(f"unknown resource type {type_name!r}; known types: {', '.join(sorted(RESOURCE_TYPES))}")
    click.echo(f"{declared.name}: {declared.description}")
    for attribute in declared.attributes:
        kind = attribute.kind + ("?" if attribute.nullable else "")
        click.echo(f"  {attribute.name:34} {kind:11} {attribute.description}")


@cli.group()
def waivers() -> None:
    """Accepted risks: validate a waivers file."""


@waivers.command("check")
@click.argument("waivers_file", type=click.Path(dir_okay=False, path_type=Path))
@_policy_source_options
def waivers_check(waivers_file: Path, extra: Sequence[str], no_default_policies: bool) -> None:
    """Validate a waivers file (exit 2 on error) and show each waiver's state."""
    from scanner.waivers import check_waivers

    known = {p.id for p in _listed_policies(extra, no_default_policies)}
    lines = check_waivers(waivers_file, _today(), known_policies=known)
    for line in lines:
        click.echo(line)
    click.echo(f"ok: {len(lines)} waivers valid", err=True)


history_option = click.option("--history", "history_url", metavar="URL",
                              help="Run store: SQLAlchemy URL or SQLite path (default: user state dir).")


@cli.command()
@history_option
@click.option("--limit", default=20, show_default=True, help="How many runs to list.")
@click.option("--scope", help="Only runs of this scope (see the scope column).")
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
def history(history_url: str | None, limit: int, scope: str | None, as_json: bool) -> None:
    """List recorded runs, newest first."""
    import json as json_module

    from scanner.history import HistoryStore, format_runs

    with HistoryStore(_history_url(history_url)) as store:
        runs = store.runs(limit=limit, scope=scope)
    if as_json:
        click.echo(json_module.dumps([r.to_json() for r in runs], indent=2))
    else:
        click.echo(format_runs(runs))


@cli.command()
@click.argument("run_a", required=False)
@click.argument("run_b", required=False)
@history_option
@click.option("--json", "as_json", is_flag=True, help="JSON instead of text.")
def diff(run_a: str | None, run_b: str | None, history_url: str | None, as_json: bool) -> None:
    """What changed between two runs: new, resolved and persisting failures.

    With no RUN ids: the latest run against the one before it. With one: that run against its
    predecessor. Run ids may be abbreviated to a unique prefix.
    """
    import json as json_module

    from scanner.history import HistoryStore

    with HistoryStore(_history_url(history_url)) as store:
        change = store.diff(run_a, run_b)
    click.echo(json_module.dumps(change.to_json(), indent=2) if as_json else change.to_text())


snapshot_reader_options = _options(
    click.option("--demo", is_flag=True, help="The bundled demo inventory (a fictional team)."),
    click.option("--policies", multiple=True, type=click.Path(), metavar="DIR",
                 help="Extra policy directory or file (repeatable), added to the shipped baseline."),
    click.option("--no-default-policies", is_flag=True, default=None, help="Do not load the shipped baseline."),
    click.option("--waivers", type=click.Path(dir_okay=False), help="Waivers file (accepted risks with owner and expiry)."),
    click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
                 help="posture.yaml (default: ./posture.yaml if present): policies, waivers, roster."),
)


@cli.command(cls=_platform_command("roster"))
@click.argument("snapshot_files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@snapshot_reader_options
@click.option("--framework", default="guide", show_default=True,
              help="guide (the zero-trust guide's controls) or cis-<platform>: cis-github, cis-aws, cis-azure.")
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a Markdown table.")
@click.pass_context
def report(ctx: click.Context, snapshot_files: tuple[Path, ...], demo: bool, framework: str, as_json: bool,
           config_file: Path | None, **params: Any) -> None:
    """Compliance view: results grouped by a framework's controls (not covered controls shown).

    Reads posture.yaml, the waivers and the roster as `scan` does, so both agree.
    """
    import json as json_module

    from scanner.compliance import build_compliance
    from scanner.pipeline import assess

    settings = _settings(ctx, params, config_file)
    policies = _policies(settings)
    inventory = _inventory_argument(settings, snapshot_files, demo)
    findings = assess(settings, inventory, policies, today=_today()).report.findings
    compliance = build_compliance(framework, policies, findings)
    click.echo(json_module.dumps(compliance.to_json(), indent=2) if as_json else compliance.to_text())


@cli.command(cls=_platform_command("roster"))
@click.argument("snapshot_files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--demo", is_flag=True, help="The bundled demo team.")
@click.option("--format", "output_format", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
              help="posture.yaml (default: ./posture.yaml if present): its roster section is used.")
@click.pass_context
def people(ctx: click.Context, snapshot_files: tuple[Path, ...], demo: bool, output_format: str,
           config_file: Path | None, **params: Any) -> None:
    """One row a person across platforms: accounts, admin rights, MFA, status, days since exit.

    The sheet for the quarterly access review. Needs a roster: collected into the snapshot
    (--roster FILE at collect time), given here, or named in posture.yaml; accounts no roster
    entry explains are grouped as "(unlinked)".
    """
    from scanner.pipeline import correlate_inventory
    from scanner.people import RENDERERS, people_rows

    settings = _settings(ctx, params, config_file)
    inventory = correlate_inventory(_inventory_argument(settings, snapshot_files, demo))
    click.echo(RENDERERS[output_format](people_rows(inventory)).rstrip("\n"))


@cli.command(cls=_platform_command("roster"))
@click.argument("snapshot_files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--demo", is_flag=True, help="The bundled demo team.")
@click.option("--from", "source", metavar="PERSON", help="Only paths of this person: GitHub login, roster email or name.")
@click.option("--to", "target", metavar="ROLE", help="Only paths to this cloud role: its name or id (ARN).")
@click.option("--json", "as_json", is_flag=True, help="JSON instead of text.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
              help="posture.yaml (default: ./posture.yaml if present): its roster section is used.")
@click.pass_context
def paths(ctx: click.Context, snapshot_files: tuple[Path, ...], demo: bool, source: str | None, target: str | None,
          as_json: bool, config_file: Path | None, **params: Any) -> None:
    """Paths from people to cloud roles: person -> GitHub account -> repository -> OIDC -> role.

    Each path hop by hop, ungated ones (nobody else approves before the token is issued) first.
    """
    import json as json_module

    from scanner.inventory.model import Unknown
    from scanner.paths import PATH_TYPE
    from scanner.pipeline import correlate_inventory

    settings = _settings(ctx, params, config_file)
    inventory = correlate_inventory(_inventory_argument(settings, snapshot_files, demo))
    found = inventory.of_type(PATH_TYPE)
    if source:
        wanted = source.strip().lower()
        found = [p for p in found if wanted in {str(i).lower() for i in p.attributes.get("identities") or []}]
    if target:
        wanted = target.strip().lower()
        found = [p for p in found if wanted in (str(p.attributes.get("target_name")).lower(),
                                                str(p.attributes.get("target_id")).lower())]
    found.sort(key=lambda p: (p.attributes.get("gated") is True, p.attributes.get("target_admin") is not True, p.name))
    if as_json:
        click.echo(json_module.dumps([p.to_json() for p in found], indent=2))
        return
    if not found:
        click.echo("no paths" + (f" from {source}" if source else "") + (f" to {target}" if target else ""))
        return
    for path in found:
        gated = path.attributes.get("gated")
        label = "gated" if gated is True else "UNGATED" if gated is False else f"gate unknown ({gated.reason})" \
            if isinstance(gated, Unknown) else "gate unknown"
        click.echo(f"{path.name}  [{label}]")
        for hop in path.attributes.get("hops") or []:
            click.echo(f"  -> {hop}")
    click.echo(f"{len(found)} path(s), {sum(1 for p in found if p.attributes.get('gated') is False)} ungated")


def _inventory_argument(settings: Settings, snapshot_files: Sequence[Path], demo: bool) -> Inventory:
    """The demo inventory as shipped, or the snapshots joined with the configured roster (as `evaluate`)."""
    if demo and snapshot_files:
        raise ConfigError("give snapshot files or --demo, not both")
    if demo:
        from scanner.demo import load_demo

        return load_demo()
    if not snapshot_files:
        raise ConfigError("name one or more snapshot files (from `posture collect`), or --demo")
    from scanner.pipeline import load_inventory

    return load_inventory(settings, snapshot_files, CollectContext(environ={}))


# --- the run -------------------------------------------------------------------------------


def _policies(settings: Settings) -> list[Any]:
    from scanner.pipeline import load_run_policies

    return load_run_policies(settings)


def _collect_context(settings: Settings, quiet: bool, verbose: int) -> tuple[CollectContext, Any]:
    """The collectors' context and the progress display (a context manager) for this terminal."""
    from contextlib import nullcontext

    from scanner.pipeline import environment

    progress: Progress
    interactive = _interactive(sys.stderr) and not quiet
    if interactive:
        progress = RichProgress(_console(sys.stderr))
    elif verbose and not quiet:
        progress = LogProgress(sys.stderr)
    else:
        progress = Progress()
    context = CollectContext(concurrency=settings.concurrency, progress=progress, cache_dir=settings.cache,
                             environ=environment())
    return context, progress if isinstance(progress, RichProgress) else nullcontext()


def _evaluate_and_report(settings: Settings, source: Inventory | CollectContext, policies: list[Any], started: str,
                         quiet: bool, scope: str | None = None, snapshot: Path | None = None,
                         progress: Any = None) -> None:
    from contextlib import nullcontext

    from scanner.pipeline import run

    selection, ocsf_version = _output_selection(policies)
    with progress if progress is not None else nullcontext():
        result = run(settings, source, policies, started=started, today=_today(), stdout=sys.stdout, scope=scope,
                     snapshot=snapshot, selection=selection, ocsf_version=ocsf_version)
    report = result.report
    shown = result.shown
    inventory = result.inventory
    if not quiet:
        stream = sys.stderr if result.to_stdout else sys.stdout
        if _interactive(stream):
            render_rich(shown, _console(stream))
        else:
            render_plain(shown, stream)
    sink_failed = False
    for display, sent in result.sink_results:
        line = f"posture: sink {display}: sent {sent.sent}, failed {sent.failed}"
        if sent.error:
            line += f" ({sent.error})"
        sink_failed = sink_failed or not sent.ok
        if not quiet or not sent.ok:
            click.echo(line, err=True)
    _report_failed_sources(inventory)
    if settings.new_only and not result.baseline:
        why = "--no-history" if settings.no_history else f"no previous complete run of scope {report.run.scope or 'this scope'}"
        click.echo(f"posture: --new-only: {why} to compare with: every failure counts as new", err=True)
    if result.history_error:
        click.echo(f"posture: error: {result.history_error} (the reports were written; this run is not recorded)",
                   err=True)
    for reason in result.verdict.incomplete:
        if not reason.startswith("source ") or " failed" not in reason:  # failed sources were just reported
            click.echo(f"posture: incomplete: {reason}", err=True)
    code = _exit_code(result.verdict, sink_failed or result.history_error is not None)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        _github_actions(shown, settings, code)
    raise click.exceptions.Exit(code)


def _github_actions(report: Report, settings: Settings, code: int) -> None:
    """In a GitHub Actions job: the job summary (appended), annotations for new critical/high
    failures, and one line saying why the job fails."""
    from scanner.outputs import github_actions

    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    explicit = any(spec.name == "markdown" and spec.path is not None and summary
                   and spec.path.resolve() == Path(summary).resolve() for spec in settings.formats)
    if summary and not explicit:
        try:
            github_actions.append_step_summary(report, Path(summary))
        except OSError as exc:
            click.echo(f"posture: warning: cannot append to GITHUB_STEP_SUMMARY ({exc.strerror or exc})", err=True)
    for line in github_actions.workflow_annotations(report):
        click.echo(line, err=True)
    reason = github_actions.failure_line(code, report, settings.fail_on)
    if reason:
        click.echo(reason, err=True)


def _scan_on_celery(values: dict[str, Any], settings: Settings, executor: str, timeout: int, quiet: bool) -> None:
    """Queue one task per unit, show units done as they finish, exit with the run's verdict."""
    from scanner.executors.celery import launch, make_app, wait
    from scanner.pipeline import RemoteOutcome, check_outputs, plan_for

    check_outputs(settings)
    plan = plan_for(settings)
    app = make_app(_broker_url(executor))
    result = launch(app, plan.units, values, list(plan.keys), concurrency=settings.concurrency)

    def progress(done: int, total: int) -> None:
        if not quiet:
            click.echo(f"posture: {done}/{total} units collected", err=True)

    try:
        outcome = RemoteOutcome.from_json(wait(result, len(plan.units), progress, timeout))
    except TimeoutError as exc:
        click.echo(f"posture: error: {exc}; the workers may still finish it (see `posture history`)", err=True)
        raise click.exceptions.Exit(EXIT_INCOMPLETE) from None
    if not quiet:
        by_status = outcome.summary.get("by_status", {})
        click.echo("posture: " + ", ".join(f"{k} {v}" for k, v in by_status.items()), err=True)
        for notice in outcome.notices:
            click.echo(f"posture: {one_line(notice)}", err=True)
    for reason in outcome.verdict.incomplete:
        click.echo(f"posture: incomplete: {one_line(reason)}", err=True)
    raise click.exceptions.Exit(_exit_code(outcome.verdict, outcome.delivery_failed))


def _report_failed_sources(inventory: Inventory) -> None:
    """One line per failed source on stderr, even with -q: CI logs must say why the audit is incomplete."""
    for source in inventory.sources:
        if source.status == "failed":
            reason = source.errors[0] if source.errors else "no detail"
            click.echo(f"posture: error: source {one_line(source.name)} failed: {one_line(reason)}", err=True)


def _history_url(value: str | None) -> str | None:
    from scanner.pipeline import history_url

    return history_url(value)


def _today() -> date:
    return datetime.now(timezone.utc).date()


def _source_exit_code(inventory: Inventory) -> int:
    failed = [s for s in inventory.sources if s.status == "failed"]
    if not failed:
        return EXIT_OK
    if len(failed) == len(inventory.sources) and any(s.error_kind == "auth" for s in failed):
        return EXIT_BAD_INPUT
    return EXIT_INCOMPLETE


def _exit_code(verdict: Any, delivery_failed: bool) -> int:
    """The contract of the module docstring: 1 before 2 (refused) before 3 before 0."""
    if verdict.failed:
        return EXIT_FINDINGS
    if verdict.refused:
        return EXIT_BAD_INPUT
    if verdict.incomplete or delivery_failed:
        return EXIT_INCOMPLETE
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point: run the CLI, turn every error into one line and an exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    verbosity = sum(len(a) - 1 for a in args if a.startswith("-v") and set(a[1:]) == {"v"}) + args.count("--verbose")
    verbose = verbosity > 0
    # Libraries' warnings (azure-identity's multi-line credential-chain report, ...) repeat what
    # the one-line source error says: shown from -v on. -vv adds their INFO logs, never DEBUG:
    # botocore and urllib3 dump request headers at DEBUG (session tokens, signatures).
    level = {0: logging.ERROR, 1: logging.WARNING}.get(verbosity, logging.INFO)
    logging.basicConfig(level=level, format="posture: %(name)s: %(message)s")
    try:
        code = cli.main(args=args, prog_name="posture", standalone_mode=False)
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.exceptions.Abort:
        click.echo("posture: aborted", err=True)
        code = 130
    except click.ClickException as exc:
        exc.show()
        code = EXIT_BAD_INPUT
    except PostureError as exc:
        click.echo(f"posture: error: {exc}", err=True)
        if verbose and exc.__cause__ is not None:
            click.echo(f"posture: caused by: {type(exc.__cause__).__name__}: {exc.__cause__}", err=True)
        code = exc.exit_code if not isinstance(exc, (ConfigError,)) else EXIT_BAD_INPUT
    except KeyboardInterrupt:
        click.echo("posture: interrupted", err=True)
        code = 130
    except BrokenPipeError:
        code = EXIT_OK
    except Exception as exc:  # a bug: one line by default, the traceback with -v
        click.echo(f"posture: internal error: {type(exc).__name__}: {exc} (run with -v for details and report it)", err=True)
        if verbose:
            traceback.print_exc()
        code = EXIT_INTERNAL
    sys.exit(code if isinstance(code, int) else EXIT_OK)
