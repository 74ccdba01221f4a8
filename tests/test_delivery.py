"""Delivery recipes are checked by the tools their platforms use: the Action and the scheduled
workflow against GitHub's schemas, the Dockerfile by hadolint, the CronJob against the Kubernetes
schema, the systemd units by systemd-analyze; and every command line they hold parses as posture's."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import click
import pytest
import yaml

from scanner.cli import cli
from scanner.findings import Severity
from scanner.outputs import github_actions
from tests.servers import server_missing

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    found = shutil.which(name) or (str(BIN / name) if (BIN / name).exists() else None)
    if found is None:
        server_missing(f"{name} is not installed (pip install -e '.[test]'; systemd-analyze: apt-get install -y systemd)")
    return found


def _parses_as_posture(args: list[str]) -> None:
    """The arguments are a valid posture command line (flags exist, values have the right shape)."""
    command, *rest = args
    sub = cli.commands[command]
    with click.Context(cli) as parent:
        sub.make_context(command, list(rest), parent=parent)


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=120)


# --- GitHub: the Action and the scheduled workflow --------------------------------------------


def test_action_validates_against_githubs_action_schema() -> None:
    result = _run(_tool("check-jsonschema"), "--builtin-schema", "vendor.github-actions", str(ROOT / "action.yml"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_scheduled_workflow_validates_against_githubs_workflow_schema() -> None:
    path = ROOT / "deploy/schedule/github-actions.yml"
    result = _run(_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_third_party_action_is_pinned_to_a_commit() -> None:
    for path in (ROOT / "action.yml", ROOT / "deploy/schedule/github-actions.yml"):
        for ref in re.findall(r"uses:\s*([^\s#]+)", path.read_text()):
            if ref.startswith(("./", "acme/posture")):  # the example's own action, pinned by the user
                continue
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", ref), f"{path.name}: {ref} is not pinned to a SHA"


def test_action_inputs_reach_the_script_only_through_the_environment() -> None:
    """No ${{ inputs.* }} inside a run: script (template injection, zizmor's template-injection)."""
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    for step in action["runs"]["steps"]:
        assert "${{ inputs." not in step.get("run", ""), step["name"]


@pytest.fixture()
def posture_on_path(tmp_path: Path) -> dict[str, str]:
    shim = tmp_path / "bin" / "posture"
    shim.parent.mkdir()
    shim.write_text(f"#!/bin/sh\nexec {shlex.quote(sys.executable)} -m scanner \"$@\"\n")
    shim.chmod(shim.stat().st_mode | stat.S_IEXEC)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "IN_"))}
    env.update(PATH=f"{shim.parent}:{env['PATH']}", PYTHONPATH=str(ROOT), RUNNER_TEMP=str(tmp_path),
               GITHUB_OUTPUT=str(tmp_path / "output"), XDG_STATE_HOME=str(tmp_path / "state"))
    return env


def test_action_script_runs_the_scan_and_hands_the_verdict_to_the_gate(tmp_path: Path, posture_on_path: dict[str, str]) -> None:
    env = dict(posture_on_path, IN_ARGS="--demo --no-history -q", IN_FAIL_ON="critical")
    result = subprocess.run(["bash", str(ROOT / "deploy/action/run.sh")], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr  # the step never fails; the Gate step does
    outputs = dict(line.split("=", 1) for line in (tmp_path / "output").read_text().splitlines())
    assert outputs["exit-code"] == "1"  # the demo has critical failures
    assert Path(outputs["sarif"]).is_file()


def test_action_script_does_not_evaluate_its_inputs(tmp_path: Path, posture_on_path: dict[str, str]) -> None:
    marker = tmp_path / "pwned"
    env = dict(posture_on_path, IN_ARGS=f"--demo $(touch {marker})", IN_ORGS=f"`touch {marker}`")
    subprocess.run(["bash", str(ROOT / "deploy/action/run.sh")], env=env, capture_output=True, text=True, timeout=120)
    assert not marker.exists()
    outputs = dict(line.split("=", 1) for line in (tmp_path / "output").read_text().splitlines())
    assert outputs["exit-code"] == "2"  # the odd words reach posture as arguments, and are refused


# --- the container image -----------------------------------------------------------------------


def test_dockerfile_passes_hadolint() -> None:
    result = _run(_tool("hadolint"), "--failure-threshold", "warning", str(ROOT / "Dockerfile"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_is_multi_stage_pinned_non_root_with_the_cli_entry_point() -> None:
    from dockerfile_parse import DockerfileParser

    parsed = DockerfileParser(path=str(ROOT / "Dockerfile"))
    froms = [i["value"] for i in parsed.structure if i["instruction"] == "FROM"]
    assert len(froms) >= 2, "multi-stage: build and runtime"
    assert all(re.search(r"@sha256:[0-9a-f]{64}", f) for f in froms), froms
    users = [i["value"] for i in parsed.structure if i["instruction"] == "USER"]
    assert users and users[-1].split(":")[0] not in ("0", "root")
    entry = [i["value"] for i in parsed.structure if i["instruction"] == "ENTRYPOINT"][-1]
    scripts = (ROOT / "pyproject.toml").read_text()
    assert entry == '["posture"]' and re.search(r'^posture = "scanner\.cli:main"', scripts, re.M)
    for copied in (i["value"].split()[0] for i in parsed.structure if i["instruction"] == "COPY" and "--from" not in i["value"]):
        assert (ROOT / copied).exists(), f"COPY {copied}: missing from the repository"


def test_image_entry_point_runs_from_an_installed_copy(tmp_path: Path) -> None:
    """What the image runs: `posture` from the installed distribution answers --help and --version."""
    result = _run(sys.executable, "-m", "scanner", "--version")
    assert result.returncode == 0 and "posture" in result.stdout


# --- Kubernetes and systemd ----------------------------------------------------------------------


def test_cronjob_validates_against_the_kubernetes_schema_and_runs_posture() -> None:
    path = ROOT / "deploy/k8s/cronjob.yaml"
    result = _run(_tool("kubernetes-validate"), "--strict", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    job = yaml.safe_load(path.read_text())
    pod = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    _parses_as_posture(pod["containers"][0]["args"])


def test_systemd_units_verify_and_run_posture(tmp_path: Path) -> None:
    analyze = _tool("systemd-analyze")
    service = (ROOT / "deploy/systemd/posture-audit.service").read_text()
    exec_start = re.search(r"^ExecStart=(.*)$", service, re.M)
    assert exec_start is not None
    program, *args = shlex.split(exec_start.group(1))
    assert program == "/opt/posture/bin/posture"
    _parses_as_posture(args)
    # systemd-analyze checks that the program exists: point it at a real executable here.
    (tmp_path / "posture-audit.service").write_text(service.replace(program, "/bin/true"))
    shutil.copy(ROOT / "deploy/systemd/posture-audit.timer", tmp_path)
    result = _run(analyze, "verify", str(tmp_path / "posture-audit.service"), str(tmp_path / "posture-audit.timer"))
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


# --- annotations and the job summary -----------------------------------------------------------


def test_workflow_commands_in_names_are_escaped() -> None:
    hostile = "x\n::add-mask::secret\r::error::y%0A"
    assert "\n" not in github_actions.escape_data(hostile) and "\r" not in github_actions.escape_data(hostile)
    assert github_actions.escape_data("%0A") == "%250A"
    assert github_actions.escape_property("a:b,c") == "a%3Ab%2Cc"


def test_annotations_for_new_critical_and_high_failures_only(demo_report) -> None:  # type: ignore[no-untyped-def]
    lines = list(github_actions.workflow_annotations(demo_report))
    assert lines and all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines)
    assert all("\n" not in line for line in lines)
    severities = {f.severity for f in github_actions.annotated_failures(demo_report)}
    assert severities <= {Severity.CRITICAL, Severity.HIGH}


def test_step_summary_is_appended_not_truncated(tmp_path: Path, demo_report) -> None:  # type: ignore[no-untyped-def]
    summary = tmp_path / "summary.md"
    summary.write_text("# earlier step\n")
    github_actions.append_step_summary(demo_report, summary)
    text = summary.read_text()
    assert text.startswith("# earlier step\n") and "posture" in text.lower()


def test_failure_line_says_why(demo_report) -> None:  # type: ignore[no-untyped-def]
    assert github_actions.failure_line(0, demo_report, Severity.HIGH) is None
    line = github_actions.failure_line(1, demo_report, Severity.HIGH)
    assert line is not None and "at or above high" in line
    assert "incomplete" in (github_actions.failure_line(3, demo_report, Severity.HIGH) or "")


@pytest.fixture()
def demo_report():  # type: ignore[no-untyped-def]
    from scanner.demo import load_demo
    from scanner.pipeline import evaluate_inventory
    from scanner.policy.loader import baseline_dir, load_policies

    return evaluate_inventory(load_demo(), load_policies([baseline_dir()])).report


def test_a_scan_in_github_actions_appends_the_summary_annotates_and_says_why(posture, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    summary = tmp_path / "step_summary.md"
    summary.write_text("## an earlier step\n")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = posture("scan", "--demo", "--no-history", "-q")
    assert result.code == 1
    text = summary.read_text()
    assert text.startswith("## an earlier step\n") and text.count("posture") >= 1
    lines = result.err.splitlines()
    assert any(line.startswith("::error title=CRITICAL") for line in lines)
    assert lines[-1].startswith("posture: job failed:") and "at or above high" in lines[-1]
    # An explicit --format markdown to the summary file appends too, and only once.
    summary.write_text("## an earlier step\n")
    posture("scan", "--demo", "--no-history", "-q", "--format", f"markdown:{summary}")
    appended = summary.read_text()
    assert appended.startswith("## an earlier step\n") and appended.count("## posture audit") == 1


def test_outside_github_actions_nothing_is_annotated(posture, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    result = posture("scan", "--demo", "--no-history", "-q")
    assert "::error" not in result.err and "job failed" not in result.err


def test_compose_file_validates_against_the_compose_spec_and_runs_posture() -> None:
    path = ROOT / "deploy/compose.yaml"
    result = _run(_tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    services = yaml.safe_load(path.read_text())["services"]
    assert {"redis", "postgres", "worker", "beat"} <= set(services)
    for name in ("worker", "beat", "scan"):
        _parses_as_posture(services[name]["command"])
