"""Roles are ordered: each can do what the ones before it can (no IO)."""

from __future__ import annotations

from domain.models import Role


def test_each_role_includes_the_ones_before_it() -> None:
    order = [Role.MEMBER, Role.MODERATOR, Role.OPERATOR, Role.ADMIN]
    for i, role in enumerate(order):
        assert all(role.at_least(lower) for lower in order[: i + 1])
        assert not any(role.at_least(higher) for higher in order[i + 1 :])
