"""Workflow analysis over sample files: each policy's verdict agrees with zizmor / Scorecard on them.

The samples are small versions of the patterns those tools document (pwn requests, script
injection, artipacked, cache poisoning, ...), plus their safe twins, evaluated through the real
policy engine with the shipped policies.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.collectors.github.workflows import WorkflowFile, map_workflows, oidc_subjects, parse_uses, unreadable_repository
from scanner.findings import Status
from scanner.inventory.model import Unknown
from scanner.inventory.snapshot import Inventory
from scanner.inventory.types import RESOURCE_TYPES, problems_with
from scanner.policy.engine import evaluate
from scanner.policy.loader import baseline_dir, load_policies

SHA = "11bd71901bbe5b1630ceea73d27597364c9af683"

SAFE = f"""
name: ci
on:
  push: {{branches: [main]}}
  pull_request:
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with: {{persist-credentials: false}}
      - uses: pnpm/action-setup@{SHA}
      - run: make test
      - uses: actions/upload-artifact@v4
        with: {{path: dist/}}
"""

PWN_REQUEST = """
on: pull_request_target
jobs:
  build:
    runs-on: ubuntu-latest
    permissions: write-all
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - uses: some-org/lint-action@main
      - run: echo "${{ github.event.pull_request.title }}"
"""

ISSUE_BOT = """
on:
  issue_comment:
    types: [created]
permissions: {}
jobs:
  triage:
    runs-on: [self-hosted, linux]
    steps:
      - uses: actions/github-script@v7
        with:
          script: console.log("${{ github.event.comment.body }}")
      - run: echo "$TITLE"
        env:
          TITLE: ${{ github.event.issue.title }}
"""

DEPLOY = """
on:
  push:
    branches: [main]
  workflow_dispatch:
permissions:
  id-token: write
  contents: read
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: production
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::111122223333:role/gha-deploy-prod
          aws-region: eu-west-1
      - run: ./deploy.sh
  call:
    uses: northwind-labs/shared/.github/workflows/release.yml@main
    secrets: inherit
"""

ARTIPACKED = """
on: push
jobs:
  pack:
    runs-on: ubuntu-latest
    container:
      image: registry.example/builder:1
      credentials:
        username: ci
        password: hunter2-literal-password
    env:
      AWS_ACCESS_KEY_ID: AKIAIOSFODNN7EXAMPLE
    steps:
      - uses: actions/checkout@v4
      - uses: actions/upload-artifact@v4
        with: {path: .}
"""

CACHE_WRITER = """
on: pull_request_target
permissions: {contents: read}
jobs:
  warm:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-node@v4
        with: {cache: npm}
"""

RELEASE = """
on:
  push:
    tags: ['v*']
permissions: {contents: write}
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/cache@v4
        with: {path: ~/.npm, key: npm}
      - run: npm publish
"""

BROKEN = "on: push\njobs:\n  a: [unclosed\n"


@pytest.fixture(scope="module")
def policies():
    return [p for p in load_policies([baseline_dir()]) if p.resource == "github.workflow"]


def _files(**texts: str) -> list[WorkflowFile]:
    return [WorkflowFile("acme/app", f".github/workflows/{name}.yml", text, visibility="public", default_branch="main")
            for name, text in texts.items()]


def _verdicts(policies, files: list[WorkflowFile]) -> dict[tuple[str, str], Status]:
    resources = map_workflows(files)
    for resource in resources:
        assert not problems_with(resource, RESOURCE_TYPES["github.workflow"]), problems_with(
            resource, RESOURCE_TYPES["github.workflow"])
    findings = evaluate(policies, Inventory(tuple(resources), (), "2026-11-20T09:00:00Z", "test"))
    return {(f.resource.name.rsplit("/", 1)[-1].removesuffix(".yml"), f.policy.removeprefix("github_workflow_")): f.status
            for f in findings}


def test_verdicts_on_the_samples(policies) -> None:
    verdicts = _verdicts(policies, _files(safe=SAFE, pwn=PWN_REQUEST, bot=ISSUE_BOT, deploy=DEPLOY,
                                          artipacked=ARTIPACKED, writer=CACHE_WRITER, release=RELEASE))
    expected_fail = {
        ("pwn", "third_party_actions_pinned"), ("pwn", "no_untrusted_checkout"), ("pwn", "no_template_injection"),
        ("pwn", "no_write_all"),
        ("bot", "no_template_injection"), ("bot", "no_self_hosted_on_public"),
        ("deploy", "id_token_job_scoped"), ("deploy", "no_secrets_inherit"), ("deploy", "third_party_actions_pinned"),
        ("artipacked", "no_credentials_in_artifacts"), ("artipacked", "no_hardcoded_credentials"),
        ("artipacked", "permissions_declared"),
        ("release", "release_cache_not_poisonable"),
    }
    failing = {key for key, status in verdicts.items() if status is Status.FAIL}
    assert failing == expected_fail
    assert all(verdicts[("safe", check)] is Status.PASS for (_, check) in verdicts if ("safe", check) in verdicts)
    # A first-party action by tag is fine for zizmor's default policy; a third party by SHA too.
    assert verdicts[("safe", "third_party_actions_pinned")] is Status.PASS
    # The environment variable indirection is the documented fix: only the github-script line counts.
    resources = {r.attributes["path"]: r for r in map_workflows(_files(bot=ISSUE_BOT))}
    assert resources[".github/workflows/bot.yml"].attributes["template_injections"] == [
        {"step": "triage/1", "context": "github.event.comment.body"}]


def test_a_file_that_does_not_parse_is_a_finding_not_a_crash(policies) -> None:
    verdicts = _verdicts(policies, _files(broken=BROKEN))
    assert verdicts[("broken", "parses")] is Status.FAIL
    others = {check: status for (name, check), status in verdicts.items() if check != "parses"}
    assert others and set(others.values()) == {Status.ERROR}


def test_on_is_read_although_yaml_1_1_turns_it_into_true() -> None:
    [resource] = map_workflows(_files(deploy=DEPLOY))
    assert resource.attributes["triggers"] == ["push", "workflow_dispatch"]
    assert resource.attributes["parse_error"] is None


@pytest.mark.parametrize("expression, injected", [
    ("github.event.commits[0].message", True), ("github.event.commits.*.author.name", True),
    ("github.event.pages[1].page_name", True), ("github.head_ref", True), ("github.event.review.body", True),
    ("github.event.pull_request.head.sha", False), ("github.event.issue.number", False), ("github.ref_name", False),
    ("github.head_ref_safe", False),
])
def test_attacker_controlled_contexts(expression: str, injected: bool) -> None:
    text = f"on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo ${{{{ {expression} }}}}\n"
    [resource] = map_workflows(_files(w=text))
    assert bool(resource.attributes["template_injections"]) is injected


def test_pinning_kinds() -> None:
    assert parse_uses(f"tj-actions/changed-files@{SHA}", "acme")["pinning"] == "sha"
    assert parse_uses("tj-actions/changed-files@v45.0.1", "acme")["pinning"] == "tag"
    assert parse_uses("tj-actions/changed-files@main", "acme")["pinning"] == "branch"
    assert parse_uses("./.github/actions/build", "acme")["pinning"] == "local"
    assert parse_uses("docker://alpine:3.20", "acme")["pinning"] == "docker-tag"
    assert parse_uses("docker://alpine@sha256:" + "a" * 64, "acme")["pinning"] == "docker-digest"
    assert parse_uses("acme/shared-actions/build@v1", "acme")["third_party"] is False
    assert parse_uses("actions/checkout@v4", "acme")["third_party"] is False


def test_hardcoded_credentials_are_located_never_copied() -> None:
    [resource] = map_workflows(_files(artipacked=ARTIPACKED))
    found = resource.attributes["hardcoded_credentials"]
    assert {"where": "pack.container.credentials.password", "kind": "literal password"} in found
    assert any(c["kind"] == "AWS access key id" for c in found)
    assert "hunter2" not in repr(resource.to_json()) and "AKIAIOSFODNN7EXAMPLE" not in repr(resource.to_json())


def test_oidc_subjects_follow_githubs_default_claim() -> None:
    [resource] = map_workflows(_files(deploy=DEPLOY))
    assert resource.attributes["id_token_jobs"] == ["deploy", "call"]
    subjects = oidc_subjects(resource.attributes, "main")
    assert subjects[0] == {"job": "deploy", "environment": "production",
                           "subjects": ["repo:acme/app:environment:production"]}
    assert subjects[1]["subjects"] == ["repo:acme/app:ref:refs/heads/main"]
    assert resource.attributes["cloud_auth"] == [{"job": "deploy", "platform": "aws", "oidc": True,
                                                  "target": "arn:aws:iam::111122223333:role/gha-deploy-prod"}]


def test_an_unreadable_tree_makes_every_check_error(policies) -> None:
    placeholder = unreadable_repository("acme/app", "could not be read: timeout", visibility="public")
    findings = evaluate(policies, Inventory((placeholder,), (), "2026-11-20T09:00:00Z", "test"))
    assert findings and {f.status for f in findings} == {Status.ERROR}
    assert placeholder.attributes["parse_error"] == Unknown("could not be read: timeout")


def test_an_unreadable_blob_is_unknown_not_clean(policies) -> None:
    files = [WorkflowFile("acme/app", ".github/workflows/big.yml", None, unreadable="blob larger than 1 MB")]
    [resource] = map_workflows(files)
    assert resource.attributes["unpinned_third_party_actions"] == Unknown("blob larger than 1 MB")


def test_samples_do_not_leak_into_the_repository() -> None:
    assert not list(Path(__file__).parent.glob("*.yml"))
