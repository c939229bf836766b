"""`quanzi console-link`: a one-time URL that signs a staff member in to the operator console,
for bootstrap and tests (the QR-code sign-in needs the mini-program)."""

from __future__ import annotations

from urllib.parse import urlencode

from redis.asyncio import Redis

from adapters.database import close_db, init_db
from adapters.redis import Store
from domain.console_login import create_login_link
from domain.errors import NotFound
from domain.models import User
from quanzi.settings import Settings


async def console_link(settings: Settings, openid: str) -> str:
    """`<public URL>/console/login/link?token=…`, valid 10 minutes and once; NOT_FOUND when no
    member has the openid, FORBIDDEN when they are not staff."""
    assert settings.database_url and settings.redis_url
    await init_db(settings.database_url, pool_max=2)
    redis = Redis.from_url(settings.redis_url, decode_responses=True)
    try:
        user = await User.get_or_none(openid=openid)
        if user is None:
            raise NotFound()
        token = await create_login_link(Store(redis, settings.redis_prefix), user)
    finally:
        await redis.aclose()
        await close_db()
    return f"{settings.public_url.rstrip('/')}/console/login/link?{urlencode({'token': token})}"
