"""The demo community can be seeded any number of times."""

from __future__ import annotations

from quanzi.domain.models import Role, User
from quanzi.domain.seed import DEMO_MEMBERS, seed_demo_community


async def test_seeding_twice_creates_the_demo_members_once(runtime: object) -> None:
    assert await seed_demo_community() == {"members": len(DEMO_MEMBERS), "created": 8}
    assert await seed_demo_community() == {"members": len(DEMO_MEMBERS), "created": 0}
    assert await User.all().count() == len(DEMO_MEMBERS)
    admin = await User.get(openid="demo-admin")
    assert (admin.role, admin.nickname) == (Role.ADMIN, "圈主小王")
