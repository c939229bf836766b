"""The console's parts that need no server: its operations validate against the schema and
stay within the query guards, every text a template asks for is in the catalogue, the vendored
libraries are the pinned ones, and no template carries inline script or style."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from graphql import parse, validate
from starlette.requests import Request
from starlette.responses import Response

from api.guards import document_problems
from api.schema import DEFAULT_LIMITS, build_schema
from console.cookies import ConsoleCookies
from console.gql import document, operation_names
from console.pages.common import highlight, utf16_slice
from console.texts import keys

CONSOLE = Path(__file__).resolve().parents[2] / "console"
SCHEMA = build_schema(dev_login=False)


@pytest.mark.parametrize("name", operation_names())
def test_each_console_operation_validates_and_passes_the_guards(name: str) -> None:
    text = document(name)
    assert validate(SCHEMA._schema, parse(text)) == []  # the plain rules, then the guards'
    assert document_problems(SCHEMA, DEFAULT_LIMITS, 3_000, text) == []


def test_every_text_a_template_or_page_names_is_in_the_catalogue() -> None:
    known = set(keys())
    named: set[str] = set()
    for path in [*CONSOLE.glob("templates/*.html"), *CONSOLE.glob("**/*.py")]:
        source = path.read_text(encoding="utf-8")
        named |= set(re.findall(r"""\bt\(['"]([a-z_]+\.[A-Za-z_.]+|[a-z_]+)['"]""", source))
    assert named, "the pattern found nothing: it no longer matches how templates ask"
    # `t('stage.' ~ tab)`: a prefix some keys must start with.
    prefixes = {n for n in named if n.endswith(".")}
    assert [p for p in prefixes if not any(k.startswith(p) for k in known)] == []
    assert sorted(named - prefixes - known) == []


def test_templates_hold_no_inline_script_style_or_handler() -> None:
    for path in CONSOLE.glob("templates/*.html"):
        html = path.read_text(encoding="utf-8")
        assert "<script>" not in html and "<style" not in html, path.name
        assert not re.search(r"\sstyle=|\son[a-z]+=|javascript:|hx-on", html), path.name


def test_the_vendored_libraries_are_the_versions_the_lockfile_pins() -> None:
    lock = json.loads((CONSOLE / "vendor-src" / "package-lock.json").read_text())
    htmx = lock["packages"]["node_modules/htmx.org"]["version"]
    echarts = lock["packages"]["node_modules/echarts"]["version"]
    vendor = CONSOLE / "static" / "vendor"
    assert f'version:"{htmx}"' in (vendor / "htmx.min.js").read_text(encoding="utf-8")
    assert f'"{echarts}"' in (vendor / "echarts.min.js").read_text(encoding="utf-8")
    for licence in ("htmx.LICENSE", "echarts.LICENSE", "echarts.NOTICE", "zrender.LICENSE"):
        assert (vendor / licence).stat().st_size > 0


def test_utf16_offsets_highlight_the_right_characters_after_astral_ones() -> None:
    text = "😀a刷单🎉b"  # 😀 and 🎉 are two UTF-16 units each
    segments = highlight(text, [{"start": 3, "end": 5, "level": "BLOCK"}])
    assert [(s.text, s.level) for s in segments] == [
        ("😀a", None),
        ("刷单", "BLOCK"),
        ("🎉b", None),
    ]
    assert utf16_slice(text, 5, 7) == "🎉"
    assert utf16_slice(text, 1, 2) == ""  # inside a surrogate pair: no slice


def test_console_cookies_are_secure_in_production_and_signed_apart_from_each_other() -> None:
    cookies = ConsoleCookies("s" * 40, secure=True, login_ttl=timedelta(minutes=2))
    response = Response()
    cookies.set_session(response, "abc")
    header = response.headers["set-cookie"]
    assert "Secure" in header and "HttpOnly" in header and "SameSite=strict" in header
    value = header.split(";")[0].split("=", 1)[1]
    as_login = Request(
        {"type": "http", "headers": [(b"cookie", f"qz_console_login={value}".encode())]}
    )
    as_session = Request({"type": "http", "headers": [(b"cookie", f"qz_console={value}".encode())]})
    assert cookies.session_id(as_session) == "abc"
    assert cookies.login_nonce(as_login) is None  # another salt, another key
