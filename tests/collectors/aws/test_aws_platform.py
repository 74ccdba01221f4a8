"""AWS settings are parsed once, by the SDK-free descriptor, and handed to the collector as parsed."""

from __future__ import annotations

import pytest

from scanner.collectors import platform
from scanner.collectors.aws.platform import AwsSettings
from scanner.collectors.base import CollectContext
from scanner.errors import ConfigError


def test_the_descriptor_validates_with_the_collectors_parser() -> None:
    descriptor = platform("aws")
    assert descriptor.validate == AwsSettings.parse
    with pytest.raises(ConfigError, match=r"^aws\.region: expected an AWS region name such as eu-west-1$"):
        descriptor.validate({"region": "Europe"})
    with pytest.raises(ConfigError, match=r"^aws\.accounts / aws\.skip_accounts only apply with aws\.organization"):
        descriptor.validate({"accounts": ["111122223333"]})
    assert descriptor.validate({"organization": True, "accounts": "111122223333,111122223333"}) == AwsSettings(
        organization=True, accounts=("111122223333",))


def test_the_collector_takes_parsed_settings() -> None:
    from scanner.collectors.aws.collector import AwsCollector

    parsed = AwsSettings(profile="audit", region="eu-west-1")
    collector = AwsCollector(parsed, CollectContext(), session_factory=object())  # type: ignore[arg-type]
    assert collector.options is parsed
    assert AwsCollector({"profile": "audit", "region": "eu-west-1"}, CollectContext(),
                        session_factory=object()).options == parsed  # type: ignore[arg-type]
