"""The composition root: what one process (API or job worker) needs, started and stopped once."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
from redis.asyncio import Redis
from taskiq import AsyncBroker

from adapters.database import close_db, init_db
from adapters.images import PillowImages
from adapters.redis import Store
from adapters.storage import LocalStorage, open_s3_storage
from adapters.wechat import WeChatClient
from domain import points, search, subscribe_messages
from domain.ports import ImageInspector, MediaStore
from domain.screening import Screener
from domain.tokens import TokenIssuer
from quanzi.settings import Settings

# The Redis store as api/ names it: api/ reaches the adapters only through this module.
RedisStore = Store


@dataclass
class Runtime:
    settings: Settings
    store: Store
    http: httpx.AsyncClient
    tokens: TokenIssuer
    media: MediaStore
    images: ImageInspector = field(default_factory=PillowImages)
    broker: AsyncBroker | None = None
    # What closes with the runtime besides the connections above (the S3 client).
    resources: AsyncExitStack = field(default_factory=AsyncExitStack)

    async def send_subscribe(self, notification_id: int, kind: str, recipient_id: int) -> None:
        """Queue a notification as a WeChat subscribe message when its kind has a template
        and the member still has a grant for it; the request never waits for WeChat."""
        template = self.settings.wechat_templates.get(kind)
        if template is None or self.broker is None or not self.settings.wechat_appid:
            return
        if await subscribe_messages.take_grant(recipient_id, template):
            from jobs.messages import send_subscribe_message

            await send_subscribe_message.kiq(notification_id, template)

    @property
    def redis(self) -> Redis:
        return self.store.redis

    @property
    def wechat(self) -> WeChatClient:
        """The WeChat client (sign-in codes, content checks, subscribe messages), on this
        runtime's connections: its access-token cache follows `store`."""
        return WeChatClient(
            http=self.http,
            store=self.store,
            api_base=self.settings.wechat_api_base,
            appid=self.settings.wechat_appid,
            secret=self.settings.wechat_secret,
            timeout=self.settings.wechat_timeout,
        )

    @property
    def screener(self) -> Screener:
        """Screens member text: the word filter, plus WeChat's check when it is configured."""
        wechat = self.wechat
        return Screener(self.store, wechat if wechat.configured else None)


async def start_runtime(settings: Settings) -> Runtime:
    """Connect to PostgreSQL and Redis (their URLs must be known by now) and build services."""
    if not settings.database_url or not settings.redis_url:
        raise RuntimeError("start_runtime needs DATABASE_URL and REDIS_URL (or embedded servers)")
    if not settings.jwt_secret:
        raise RuntimeError("start_runtime needs a JWT secret; use load_settings()")
    await init_db(settings.database_url, pool_max=settings.db_pool_max)
    points.configure(points_rules(settings))
    # jieba loads its dictionary once (about a second): now, not in the first search or post.
    await asyncio.to_thread(search.warm_up)
    redis = Redis.from_url(
        settings.redis_url,
        decode_responses=True,
        socket_timeout=5,
        socket_connect_timeout=5,
        health_check_interval=30,
    )
    http = httpx.AsyncClient(
        timeout=httpx.Timeout(settings.wechat_timeout),
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
        headers={"User-Agent": "quanzi"},
    )
    resources = AsyncExitStack()
    return Runtime(
        settings=settings,
        store=Store(redis, settings.redis_prefix),
        http=http,
        tokens=TokenIssuer(
            secret=settings.jwt_secret,
            access_ttl=timedelta(seconds=settings.access_token_ttl),
            refresh_ttl=timedelta(seconds=settings.refresh_token_ttl),
        ),
        media=await _media_store(settings, resources),
        images=PillowImages(),
        broker=await _start_broker(settings),
        resources=resources,
    )


async def _start_broker(settings: Settings) -> AsyncBroker:
    from jobs.broker import make_broker

    broker = make_broker(settings)
    await broker.startup()
    return broker


async def _media_store(settings: Settings, resources: AsyncExitStack) -> MediaStore:
    if settings.s3_bucket:
        return await resources.enter_async_context(
            open_s3_storage(
                endpoint=settings.s3_endpoint or "",
                bucket=settings.s3_bucket,
                access_key=settings.s3_access_key or "",
                secret_key=settings.s3_secret_key or "",
                region=settings.s3_region,
            )
        )
    return LocalStorage(settings.media_root)


def points_rules(settings: Settings) -> points.PointsRules:
    return points.PointsRules(
        timezone=settings.community_timezone,
        post=settings.points_post,
        post_daily=settings.points_post_daily,
        reply=settings.points_reply,
        reply_daily=settings.points_reply_daily,
        like_received=settings.points_like_received,
        like_received_daily=settings.points_like_received_daily,
        accepted_answer=settings.points_accepted_answer,
        featured=settings.points_featured,
        checkin=settings.points_checkin,
        checkin_streak_bonus=settings.points_checkin_streak_bonus,
        checkin_streak_days=settings.points_checkin_streak_days,
        invite=settings.points_invite,
        bounty_max=settings.bounty_max,
        level_thresholds=tuple(settings.level_thresholds),
    )


async def stop_runtime(runtime: Runtime) -> None:
    if runtime.broker is not None:
        await runtime.broker.shutdown()
    await runtime.resources.aclose()
    await runtime.http.aclose()
    await runtime.redis.aclose()
    await close_db()
