"""The Azure descriptor declares the environment settings the collector reads: posture.yaml accepts
``environment_tags``, ``production_name_pattern`` and ``nonproduction_name_pattern`` in its
``azure:`` section and the collector classes subscriptions by them (against the fake)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.collectors import load_collector, platform
from scanner.collectors.base import CollectContext
from scanner.config import build_settings, read_config_file
from scanner.errors import ConfigError
from tests.fakes.azure.client import NOW, StaticTokenCredential
from tests.fakes.azure.server import FakeAzure


def _config(tmp_path: Path, fake: FakeAzure, body: str) -> Path:
    path = tmp_path / "posture.yaml"
    path.write_text(f"azure:\n  arm_url: {fake.url}\n  graph_url: {fake.url}\n  ca_bundle: {fake.ca_path}\n{body}",
                    encoding="utf-8")
    return path


def test_the_descriptor_declares_the_environment_options() -> None:
    descriptor = platform("azure")
    kinds = {key: descriptor.option(key).kind for key in  # type: ignore[union-attr]
             ("environment_tags", "production_name_pattern", "nonproduction_name_pattern")}
    assert kinds == {"environment_tags": "list", "production_name_pattern": "string", "nonproduction_name_pattern": "string"}


def test_posture_yaml_environment_settings_reach_the_collector(fake: FakeAzure, tmp_path: Path) -> None:
    # Tags the demo tenant does not use (so the name patterns decide): nw-prod production, nw-dev not.
    config = _config(tmp_path, fake, "  environment_tags: [tier]\n  production_name_pattern: '-prod$'\n"
                                     "  nonproduction_name_pattern: '-(dev|test)$'\n")
    section = dict(build_settings(read_config_file(config)).sources["azure"])
    assert section["environment_tags"] == ["tier"]
    section.update(credential=StaticTokenCredential(fake.token), retry_backoff=0.01)
    result = load_collector("azure")(section, CollectContext(concurrency=2, clock=lambda: NOW)).collect()
    subs = {r.name: r.attributes for r in result.resources if r.type == "azure.subscription"}
    assert (subs["nw-prod"]["environment"], subs["nw-dev"]["environment"]) == ("production", "non-production")


def test_default_tags_without_the_settings(fake: FakeAzure, tmp_path: Path) -> None:
    section = dict(build_settings(read_config_file(_config(tmp_path, fake, ""))).sources["azure"])
    section.update(credential=StaticTokenCredential(fake.token), retry_backoff=0.01)
    result = load_collector("azure")(section, CollectContext(concurrency=2, clock=lambda: NOW)).collect()
    subs = {r.name: r.attributes for r in result.resources if r.type == "azure.subscription"}
    assert (subs["nw-prod"]["environment"], subs["nw-dev"]["environment"]) == ("production", "development")


@pytest.mark.parametrize("body, message", [
    ("  environment_tags: environment\n", "environment_tags"),
    ("  production_name_pattern: 7\n", "production_name_pattern"),
])
def test_wrong_types_are_one_config_error(fake: FakeAzure, tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        build_settings(read_config_file(_config(tmp_path, fake, body)))
