"""The unit ring: pure rules, no IO. A test here that asks for a server is in the wrong ring."""

from __future__ import annotations

import pytest

# The fixtures that start or reach PostgreSQL, Redis or HTTP (tests/conftest.py).
SERVER_FIXTURES = frozenset(
    {"server_urls", "database_url", "settings", "runtime", "wechat", "client", "api"}
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.parent.name != "unit":
            continue
        servers = SERVER_FIXTURES & set(getattr(item, "fixturenames", ()))
        if servers:
            raise pytest.UsageError(
                f"{item.nodeid} uses {', '.join(sorted(servers))}: "
                "tests/unit holds pure rules; move it to tests/domain or tests/api"
            )
