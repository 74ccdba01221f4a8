"""The SDK-free descriptor: imports no HTTP library, declares its secrets, one unit per org."""

from __future__ import annotations

import subprocess
import sys

from scanner.collectors.atlassian.platform import PLATFORM


def test_descriptor_imports_no_http_library() -> None:
    code = "import sys; import scanner.collectors.atlassian.platform; print(any(m.split('.')[0] in ('requests', 'urllib3') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_flags_secrets_units() -> None:
    assert PLATFORM.name == "atlassian" and PLATFORM.extra == "atlassian"
    assert {o.flag for o in PLATFORM.options} >= {"--atlassian-org", "--atlassian-site", "--atlassian-admin-api-base", "--atlassian-site-base"}
    assert PLATFORM.secret_env == ("ATLASSIAN_ADMIN_API_KEY", "ATLASSIAN_EMAIL", "ATLASSIAN_API_TOKEN")
    assert PLATFORM.account_types == ("atlassian.account",)
    assert PLATFORM.units is not None
    (unit,) = PLATFORM.units({"org": "abc-123", "sites": ["acme", "acme-eu"]})
    assert unit.key == "atlassian:org/abc-123" and unit.settings["sites"] == ["acme", "acme-eu"]
    assert [u.key for u in PLATFORM.units({"sites": "acme"})] == ["atlassian:site/acme"]
    assert PLATFORM.units({}) == []


def test_collector_class_loads_and_validates() -> None:
    from scanner.collectors.base import Collector

    cls = PLATFORM.collector_class()
    assert issubclass(cls, Collector) and cls.platform == "atlassian"
    assert PLATFORM.validate is not None
    PLATFORM.validate({"org": "abc-123", "sites": ["acme.atlassian.net"]})


def test_account_kind_is_declared() -> None:
    from scanner.inventory.types.atlassian import ACCOUNT_KINDS

    (kind,) = ACCOUNT_KINDS
    assert kind.type == "atlassian.account" and kind.platform == "atlassian" and not kind.is_grant
    assert kind.only == (("account_type", "atlassian"),)  # apps are nobody's account
