"""Typed settings, read from the environment once by each process's composition root."""

from __future__ import annotations

import itertools
import secrets
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.calendar import DEFAULT_TIMEZONE

# Where `quanzi serve` and `quanzi dev` listen unless told otherwise (and so where, outside
# production, uploaded images are said to be: see Settings.public_media_url).
SERVE_HOST = "127.0.0.1"
SERVE_PORT = 8000


def local_media_url(host: str, port: int) -> str:
    """The API's own /media on the address it serves (a wildcard address reads as loopback)."""
    if host in ("", "0.0.0.0", "::"):
        host = "127.0.0.1"
    return f"http://{f'[{host}]' if ':' in host else host}:{port}/media"


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class ConfigError(Exception):
    """The environment does not describe a runnable service; the message says what to set."""


class Settings(BaseSettings):
    """Everything Quanzi reads from the environment. Every limit lives here."""

    model_config = SettingsConfigDict(
        env_prefix="QUANZI_", extra="ignore", frozen=True, populate_by_name=True
    )

    env: Environment = Environment.DEVELOPMENT
    var_dir: Path = Path("var")

    # Unset means: start the embedded server under var_dir (development and test only).
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "QUANZI_DATABASE_URL")
    )
    redis_url: str | None = Field(
        default=None, validation_alias=AliasChoices("REDIS_URL", "QUANZI_REDIS_URL")
    )
    # Every Redis key Quanzi writes starts with this, so tests and tenants never collide.
    redis_prefix: str = "qz:"
    # PostgreSQL connections per process (each `quanzi serve` worker, each job worker). One
    # worker runs on one core, and a page holds a connection for well under a millisecond of
    # its ~10 ms: 10 covers 16+ requests in flight; more only queue at PostgreSQL instead.
    db_pool_max: int = Field(default=10, ge=1)
    # Feed pages' reads that arrive in the same turn of the event loop are sent as one
    # statement of at most this many (adapters/read_batches.py); 1: each alone.
    read_batch_size: int = Field(default=4, ge=1, le=64)

    jwt_secret: str | None = None
    access_token_ttl: int = Field(default=2 * 3600, ge=60, description="seconds")
    refresh_token_ttl: int = Field(default=30 * 24 * 3600, ge=3600, description="seconds")

    wechat_appid: str | None = Field(
        default=None, validation_alias=AliasChoices("WECHAT_APPID", "QUANZI_WECHAT_APPID")
    )
    wechat_secret: str | None = Field(
        default=None, validation_alias=AliasChoices("WECHAT_SECRET", "QUANZI_WECHAT_SECRET")
    )
    wechat_api_base: str = Field(
        default="https://api.weixin.qq.com",
        validation_alias=AliasChoices("WECHAT_API_BASE", "QUANZI_WECHAT_API_BASE"),
    )
    wechat_timeout: float = Field(default=5.0, gt=0, description="seconds per WeChat call")
    # Notification kind -> subscribe-message template id, e.g. {"COMMENT": "AbC..."}. A kind
    # with a template is sent to members who granted it (fields thing1: text, time2: time).
    wechat_templates: dict[str, str] = Field(
        default_factory=dict,
        validation_alias=AliasChoices("WECHAT_TEMPLATES", "QUANZI_WECHAT_TEMPLATES"),
    )

    dev_login: bool = False

    page_max: int = Field(default=50, ge=1)
    # Guards checked before a query runs (QUERY_TOO_COMPLEX) and the /graphql body cap.
    # Cost: 1 a field, children multiplied by a connection's page size (see api/guards.py).
    query_max_depth: int = Field(default=12, ge=2)
    query_max_aliases: int = Field(default=30, ge=0)
    query_max_cost: int = Field(default=10_000, ge=10)
    query_max_tokens: int = Field(default=3_000, ge=100)
    # Checked before validation (which compares repeated fields pairwise): fields in an
    # operation, fragments spread, and in one selection set. The contract needs 79 and 28.
    query_max_fields: int = Field(default=200, ge=10)
    query_max_fields_per_selection: int = Field(default=50, ge=10)
    graphql_max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    # GET /graphql (persisted queries only): the longest query string taken, and how long a
    # successful answer to a request without Authorization may be cached publicly (0: never).
    graphql_max_query_string_bytes: int = Field(default=8 * 1024, ge=1024)
    public_cache_seconds: int = Field(default=30, ge=0)
    # Run query operations through plans compiled once per document (api/compiled.py);
    # off: graphql-core's interpreter for everything.
    compiled_execution: bool = True
    # Answer a feed page that reads as before with its kept answer (api/kept_answers.py;
    # under compiled execution); off: every such page executed.
    kept_answers: bool = True
    # Rate limits by class, {"liking": [120, 60]} = 120 a minute (api/ratelimit.py has the
    # classes and defaults); off entirely with rate_limits_enabled false.
    rate_limits: dict[str, tuple[int, int]] = Field(default_factory=dict)
    rate_limits_enabled: bool = True
    # WebSockets: live `notificationAdded` subscriptions one socket and one member may hold
    # (per API process; past them RATE_LIMITED), and how often an idle socket's token and
    # member are checked again (a ban or an expired token closes it).
    ws_subscriptions_per_socket: int = Field(default=5, ge=1)
    ws_subscriptions_per_member: int = Field(default=20, ge=1)
    ws_recheck_seconds: float = Field(default=60.0, gt=0)
    # Behind a proxy that appends X-Forwarded-For, take the client's address from it.
    trust_forwarded_for: bool = False
    # The proxies in front, comma-separated addresses or networks: uvicorn believes their
    # X-Forwarded-For and -Proto, nobody else's. Unset: no proxy headers are read at all.
    trusted_proxies: str = ""
    # /metrics: with a token, served only to `Authorization: Bearer <token>`; without one,
    # served outside production only.
    metrics_token: str | None = None
    # Allow-list mode: only the documents under this directory run: .graphql files by the
    # sha256 of each, and the operations of Apollo's and graphql-codegen's .json manifests
    # by their ids (api/persisted_documents.py). Unset: any query, plus automatic persisted
    # queries.
    persisted_queries_dir: Path | None = None
    # `quanzi worker` serves its job metrics (Prometheus) on this port when set.
    worker_metrics_port: int | None = None
    # The points economy (DESIGN.md defaults). Caps count awarded actions per calendar day
    # in the community's time zone; comments and answers share one cap.
    community_timezone: str = DEFAULT_TIMEZONE
    points_post: int = 5
    points_post_daily: int = 5
    points_reply: int = 2
    points_reply_daily: int = 10
    points_like_received: int = 1
    points_like_received_daily: int = 50
    points_accepted_answer: int = 15
    points_featured: int = 20
    points_checkin: int = 2
    points_checkin_streak_bonus: int = 5
    points_checkin_streak_days: int = 7
    points_invite: int = 20
    bounty_max: int = 10_000
    # The largest reward a circle admin may put on their circle's event; more needs an
    # operator (circle events paid out by their own admins were a way to print points).
    circle_event_reward_max: int = Field(default=20, ge=0)
    level_thresholds: list[int] = [0, 100, 300, 1000, 3000, 10000]
    # The task centre: each task's reward (QUANZI_TASK_REWARDS as JSON, e.g.
    # {"FIRST_POST": 20}; codes left out keep these), and how long onboarding is offered.
    task_rewards: dict[str, int] = {
        "COMPLETE_PROFILE": 10,
        "FOLLOW_TOPICS": 5,
        "JOIN_CIRCLE": 5,
        "FIRST_POST": 10,
        "FIRST_COMMENT": 5,
        "FIRST_CHECK_IN": 5,
        "DAILY_CHECK_IN": 2,
        "DAILY_LIKE": 2,
        "DAILY_COMMENT": 2,
        "DAILY_SHARE": 2,
    }
    task_onboarding_days: int = Field(default=30, ge=1)
    # The recommender (LightFM). Interactions of the last `recommender_days` days train it.
    recommender_days: int = 90
    recommender_components: int = 32
    recommender_epochs: int = 50  # at most: early stopping on a validation split chooses
    recommender_learning_rate: float = 0.05
    recommender_loss: str = "warp"
    recommender_alpha: float = 1e-6
    recommender_threads: int = 2
    recommender_candidates: int = 200
    recommender_explore_share: float = 0.1
    # Distinct reporters that hide content until it is reviewed.
    report_hide_threshold: int = Field(default=3, ge=1)
    # Review stages' SLAs: hours from a task reaching the stage to a decision (dueAt), and how
    # long a reviewer's claim on a task keeps others from deciding it.
    review_sla_first_hours: float = Field(default=2, gt=0)
    review_sla_second_hours: float = Field(default=8, gt=0)
    review_sla_final_hours: float = Field(default=24, gt=0)
    review_claim_minutes: int = Field(default=10, ge=1, le=24 * 60)
    # The feedback desk's SLA: hours from a ticket's creation to its first reply (dueAt).
    feedback_sla_hours: float = Field(default=24, gt=0, le=24 * 90)
    # A WeCom (企业微信) group robot's webhook (https://qyapi.weixin.qq.com/cgi-bin/webhook/
    # send?key=...): each new alert is posted there by the job that opened it. Unset: none.
    alert_webhook: str | None = None
    # Where members and staff reach this service from outside (links it prints or sends,
    # e.g. `quanzi console-link`), without a trailing slash.
    public_url: str = "http://127.0.0.1:8000"

    # Uploaded images: stored under media_dir and served at /media/. Their public URLs are
    # built from media_base_url alone (the CDN or bucket in front of the files, or the API's
    # own /media), never from a request's Host or X-Forwarded-* headers. Required in
    # production; elsewhere `quanzi serve` sets it to its own address.
    media_dir: Path | None = None
    media_base_url: str | None = None
    media_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    media_max_pixels: int = Field(default=40_000_000, ge=1)
    # Set these to store uploads in an S3-compatible bucket instead of media_dir; then
    # media_base_url must say where the bucket's objects are public (bucket URL or CDN).
    s3_endpoint: str | None = None
    s3_bucket: str | None = None
    s3_access_key: str | None = None
    s3_secret_key: str | None = None
    s3_region: str = "us-east-1"
    log_level: str = "INFO"
    log_json: bool = True
    # The operator console (/console): a signed-in browser's session ends after this many
    # minutes without a request (each request slides it); the sign-in QR code carries this
    # mini-program page path with `scene=<nonce>` (the page that shows who asks and approves).
    console_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    console_login_page: str = "pages/console-login/index"
    # The review workbench holds a decision this long, with an undo toast, before sending it.
    console_undo_seconds: float = Field(default=5, ge=0, le=60)

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.env is not Environment.PRODUCTION:
            return self
        missing = [
            name
            for name, value in (
                ("QUANZI_JWT_SECRET", self.jwt_secret),
                ("DATABASE_URL", self.database_url),
                ("REDIS_URL", self.redis_url),
                ("WECHAT_APPID", self.wechat_appid),
                ("WECHAT_SECRET", self.wechat_secret),
                ("QUANZI_MEDIA_BASE_URL", self.media_base_url),
            )
            if not value
        ]
        if missing:
            raise ValueError("production needs " + ", ".join(missing) + " set in the environment")
        if self.jwt_secret is not None and len(self.jwt_secret) < 32:
            raise ValueError("QUANZI_JWT_SECRET must be at least 32 characters in production")
        if self.dev_login:
            raise ValueError("QUANZI_DEV_LOGIN must not be on in production")
        return self

    @field_validator("community_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (an IANA name, e.g. Asia/Shanghai)"
            ) from None
        return value

    @field_validator("media_base_url")
    @classmethod
    def _absolute_media_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or parts.username is not None
            or parts.password is not None
            or parts.query
            or parts.fragment
            or "\\" in value
        ):
            raise ValueError(
                f"QUANZI_MEDIA_BASE_URL must be an absolute http(s) URL without credentials, "
                f"query or fragment, e.g. https://cdn.example.com/media; found {value!r}"
            )
        return value.strip().rstrip("/")

    @field_validator("alert_webhook")
    @classmethod
    def _absolute_webhook(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                "QUANZI_ALERT_WEBHOOK must be an absolute http(s) URL, e.g. "
                "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=..."
            )
        return value.strip()

    @field_validator("level_thresholds")
    @classmethod
    def _thresholds_rise_from_zero(cls, value: list[int]) -> list[int]:
        if not value or value[0] != 0 or any(b <= a for a, b in itertools.pairwise(value)):
            raise ValueError("level thresholds must start at 0 and rise")
        return value

    @model_validator(mode="after")
    def _s3_complete(self) -> Settings:
        s3 = [self.s3_endpoint, self.s3_bucket, self.s3_access_key, self.s3_secret_key]
        if any(s3) and not all(s3):
            raise ValueError(
                "S3 storage needs QUANZI_S3_ENDPOINT, QUANZI_S3_BUCKET, QUANZI_S3_ACCESS_KEY "
                "and QUANZI_S3_SECRET_KEY together"
            )
        if all(s3) and not self.media_base_url:
            raise ValueError("S3 storage needs QUANZI_MEDIA_BASE_URL (where objects are public)")
        return self

    @property
    def is_production(self) -> bool:
        return self.env is Environment.PRODUCTION

    @property
    def public_media_url(self) -> str:
        """Where uploaded images are public: QUANZI_MEDIA_BASE_URL, else (outside production)
        the API's own /media on the default address."""
        return self.media_base_url or local_media_url(SERVE_HOST, SERVE_PORT)

    @property
    def media_root(self) -> Path:
        return self.media_dir or self.var_dir / "media"

    @property
    def dev_login_enabled(self) -> bool:
        return self.dev_login and not self.is_production

    def with_secret(self) -> Settings:
        """Return settings whose JWT secret is set: outside production, one kept under var_dir."""
        if self.jwt_secret:
            return self
        path = self.var_dir / "jwt_secret"
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.touch(mode=0o600)
            path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        return self.model_copy(update={"jwt_secret": path.read_text(encoding="utf-8").strip()})


def load_settings(**overrides: object) -> Settings:
    """Read the environment; raise ConfigError with a readable message when it is wrong."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            (f"{'.'.join(str(p) for p in err['loc'])}: " if err["loc"] else "")
            + err["msg"].removeprefix("Value error, ")
            for err in exc.errors()
        )
        raise ConfigError(f"Quanzi cannot start: {problems}") from None
    return settings.with_secret()
