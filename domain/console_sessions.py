"""Staff sessions in the operator console: a server-side record per signed-in browser.

The browser holds only a signed session id; the record (who, the CSRF token, when it began)
lives in Redis with an idle timeout that every request slides forward. Signing out deletes the
record, so the cookie stops working at once, and every request reads the member again, so a
demotion or a ban ends the session on the next click rather than when the cookie expires."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from adapters.redis import Store
from domain import access
from domain.auth import check_not_banned
from domain.errors import Forbidden
from domain.models import User

_ID_MAX = 64  # what a client may send as a session id before it is not even looked up


@dataclass(frozen=True)
class ConsoleSession:
    session_id: str
    user: User
    csrf_token: str
    started_at: datetime


def _key(store: Store, session_id: str) -> str:
    return store.key("console_session", session_id)


async def start_session(store: Store, user: User, idle: timedelta) -> ConsoleSession:
    """A new session for a staff member who just signed in (QR approval or a link)."""
    if not access.can_use_console(user):
        raise Forbidden()
    check_not_banned(user)
    session_id = secrets.token_urlsafe(32)
    csrf_token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    key = _key(store, session_id)
    async with store.redis.pipeline(transaction=True) as pipe:
        pipe.hset(
            key,
            mapping={"user_id": str(user.id), "csrf": csrf_token, "started_at": now.isoformat()},
        )
        pipe.pexpire(key, idle)
        await pipe.execute()
    return ConsoleSession(session_id, user, csrf_token, now)


async def resume_session(store: Store, session_id: str, idle: timedelta) -> ConsoleSession | None:
    """The session behind a browser's id, its idle timeout slid forward; None when it timed
    out, was signed out, or its member is gone or banned (then it ends). A member demoted
    since still resumes: the console refuses them by role, as it refuses any member."""
    if not (0 < len(session_id) <= _ID_MAX and session_id.isascii()):
        return None
    key = _key(store, session_id)
    async with store.redis.pipeline(transaction=True) as pipe:
        pipe.hgetall(key)
        pipe.pexpire(key, idle)
        found, _ = await pipe.execute()
    fields = {str(k): str(v) for k, v in (found or {}).items()}
    if "user_id" not in fields:
        return None
    user = await User.get_or_none(id=int(fields["user_id"]))
    if user is None or _banned(user):
        await store.redis.delete(key)
        return None
    return ConsoleSession(
        session_id, user, fields["csrf"], datetime.fromisoformat(fields["started_at"])
    )


async def end_session(store: Store, session_id: str) -> None:
    """Sign out: the record goes, and with it every request the cookie could still make."""
    if 0 < len(session_id) <= _ID_MAX and session_id.isascii():
        await store.redis.delete(_key(store, session_id))


def _banned(user: User) -> bool:
    try:
        check_not_banned(user)
    except Forbidden:
        return True
    return False
