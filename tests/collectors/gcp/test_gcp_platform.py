"""The SDK-free descriptor: imports no Google library, splits settings into units."""

from __future__ import annotations

import subprocess
import sys

from scanner.collectors.gcp.platform import PLATFORM


def test_descriptor_imports_no_google_sdk() -> None:
    code = "import sys; import scanner.collectors.gcp.platform; print(any(m.startswith('google') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_units_and_flags() -> None:
    assert PLATFORM.name == "gcp" and PLATFORM.extra == "gcp"
    assert {o.flag for o in PLATFORM.options} >= {"--gcp-organization", "--gcp-folders", "--gcp-projects", "--gcp-impersonate", "--gcp-endpoint-base"}
    assert PLATFORM.units is not None
    assert [u.key for u in PLATFORM.units({"organization": "123", "projects": ["ignored-p"]})] == ["gcp:organizations/123"]
    units = PLATFORM.units({"projects": ["proj-one", "proj-two"], "domains": ["acme.com"]})
    assert [u.key for u in units] == ["gcp:projects/proj-one", "gcp:projects/proj-two"]
    assert units[0].settings == {"projects": ["proj-one"], "domains": ["acme.com"]}


def test_collector_class_loads_and_validates() -> None:
    from scanner.collectors.base import Collector

    cls = PLATFORM.collector_class()
    assert issubclass(cls, Collector) and cls.platform == "gcp"
    assert PLATFORM.validate is not None
    PLATFORM.validate({"organization": "123"})
