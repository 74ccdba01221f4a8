"""Azure settings are parsed once, by the SDK-free descriptor, and handed to the collector as parsed."""

from __future__ import annotations

import pytest

from scanner.collectors import platform
from scanner.collectors.azure.platform import AzureSettings, parse_settings
from scanner.collectors.base import CollectContext
from scanner.errors import ConfigError


def test_the_descriptor_validates_with_the_collectors_parser() -> None:
    descriptor = platform("azure")
    assert descriptor.validate is parse_settings
    with pytest.raises(ConfigError, match=r"^azure\.subscriptions: 'prod' is not a subscription id \(a GUID\)$"):
        descriptor.validate({"subscriptions": ["prod"]})
    with pytest.raises(ConfigError, match=r"^azure\.cloud must be one of public, usgov, china, not 'moon'$"):
        descriptor.validate({"cloud": "moon"})
    parsed = parse_settings({"cloud": "usgov", "subscriptions": ["AAAAAAAA-0000-0000-0000-000000000001"]})
    assert isinstance(parsed, AzureSettings)
    assert parsed.subscriptions == ("aaaaaaaa-0000-0000-0000-000000000001",)
    assert parsed.graph_url == "https://graph.microsoft.us"


def test_the_collector_takes_parsed_settings() -> None:
    from scanner.collectors.azure.collector import AzureCollector

    parsed = parse_settings({"tenant": "contoso.onmicrosoft.com"})
    assert AzureCollector(parsed, CollectContext())._options is parsed
    assert AzureCollector({"tenant": "contoso.onmicrosoft.com"}, CollectContext())._options == parsed


def test_the_credential_and_session_are_injected_through_the_constructor(fake) -> None:
    import requests

    from scanner.collectors.azure.collector import AzureCollector
    from tests.fakes.azure.client import NOW, StaticTokenCredential, settings_for

    settings = {k: v for k, v in settings_for(fake).items() if k != "credential"}
    credential = StaticTokenCredential(fake.token)
    sessions: list[requests.Session] = []

    def session() -> requests.Session:
        sessions.append(requests.Session())
        return sessions[-1]

    result = AzureCollector(parse_settings(settings), CollectContext(clock=lambda: NOW), credential=credential,
                            session_factory=session).collect()
    assert credential.scopes and len(sessions) == 1
    assert all(s.status != "failed" for s in result.sources) and result.resources
