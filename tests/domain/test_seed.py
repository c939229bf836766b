"""The demo community can be seeded any number of times."""

from __future__ import annotations

from domain.models import Post, Role, User
from quanzi.tools.seed import DEMO_MEMBERS, DEMO_POSTS, seed_demo_community
from tests.factories import RULES


async def test_seeding_twice_creates_the_demo_members_once(runtime: object) -> None:
    first = await seed_demo_community(RULES)
    assert (first["created"], first["posts created"]) == (len(DEMO_MEMBERS), len(DEMO_POSTS) + 2)
    again = await seed_demo_community(RULES)
    assert (again["created"], again["posts created"]) == (0, 0)
    assert (again["posts"], again["comments"]) == (first["posts"], first["comments"])
    reading = await Post.get(title="本月读书会：《百年孤独》")
    assert (reading.like_count, reading.comment_count) == (3, 5)
    assert await User.all().count() == len(DEMO_MEMBERS)
    admin = await User.get(openid="demo-admin")
    assert (admin.role, admin.nickname) == (Role.ADMIN, "圈主小王")
