"""The demo community: a small cast of members with every role, safe to run again and again.

Sign in as any of them with devLogin(openid: ...) when QUANZI_DEV_LOGIN=1. Later features add
their own demo content here, always keyed so that a second run changes nothing.
"""

from __future__ import annotations

from quanzi.domain.models import Role, User
from quanzi.domain.users import find_or_create_member

DEMO_MEMBERS: tuple[tuple[str, str, str, Role], ...] = (
    ("demo-admin", "圈主小王", "社区管理员，负责整体运营。", Role.ADMIN),
    ("demo-operator", "运营阿青", "每周精选、活动策划。", Role.OPERATOR),
    ("demo-moderator", "志愿者老周", "审核志愿者，守护讨论氛围。", Role.MODERATOR),
    ("demo-alice", "爱丽丝", "喜欢拍照和徒步。", Role.MEMBER),
    ("demo-bob", "鲍勃", "程序员，研究区块链。", Role.MEMBER),
    ("demo-chen", "陈同学", "大三学生，正在准备考研。", Role.MEMBER),
    ("demo-dong", "东东", "咖啡爱好者。", Role.MEMBER),
    ("demo-lin", "林小姐", "读书会发起人。", Role.MEMBER),
)


async def seed_demo_community() -> dict[str, int]:
    """Create the demo members that are missing; return how many exist and were created."""
    created = 0
    for openid, nickname, bio, role in DEMO_MEMBERS:
        user, is_new = await find_or_create_member(openid, nickname=nickname)
        if is_new:
            created += 1
            await User.filter(id=user.id).update(bio=bio, role=role)
    return {"members": len(DEMO_MEMBERS), "created": created}
