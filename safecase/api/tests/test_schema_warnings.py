"""The OpenAPI schema generates without a warning: two serializers of the same name in two
modules, or two operations with one id, would give API clients a wrong schema silently."""

from __future__ import annotations

from pathlib import Path

from django.core.management import call_command


def test_the_schema_generates_and_validates_without_warnings(tmp_path: Path) -> None:
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert out.read_text().startswith("openapi: 3")
