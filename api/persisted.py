"""Persisted queries. Automatic (Apollo's protocol): a client sends
`extensions.persistedQuery.sha256Hash` without the text; on a miss it is told
PERSISTED_QUERY_NOT_FOUND and sends text and hash once, which is then kept in Redis. With an
allow-list (production), only registered documents run: the .graphql files of a directory,
each known by the sha256 of its text, a client naming its operation in `operationName`.
The text of a hit goes through the parser and validation caches, so a hit costs neither."""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

from redis.exceptions import RedisError

from quanzi.bootstrap import RedisStore

log = logging.getLogger("quanzi.persisted")

APQ_TTL = 30 * 24 * 3600
_HASH = re.compile(r"^[0-9a-f]{64}$")


class PersistedQueryError(Exception):
    """Answered as one GraphQL error with this code and message, HTTP `status`."""

    def __init__(self, code: str, message: str, status: int = 200) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def load_allow_list(directory: Path) -> dict[str, str]:
    """hash -> text of every .graphql file under `directory`."""
    documents = {}
    for path in sorted(directory.rglob("*.graphql")):
        text = path.read_text(encoding="utf-8")
        documents[sha256(text)] = text
    if not documents:
        raise ValueError(f"no .graphql files under {directory} for the allow-list")
    return documents


class PersistedQueries:
    def __init__(self, allow_list: dict[str, str] | None = None) -> None:
        self.allow_list = allow_list

    async def resolve(self, store: RedisStore, query: str | None, extensions: object) -> str | None:
        """The query text to run, or PersistedQueryError."""
        persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
        if persisted is None:
            if self.allow_list is not None:
                raise PersistedQueryError(
                    "PERSISTED_QUERY_NOT_SUPPORTED",
                    "Only registered operations run here: send extensions.persistedQuery.",
                    400,
                )
            return query
        digest = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
        if (
            not isinstance(persisted, dict)
            or persisted.get("version") != 1
            or not isinstance(digest, str)
            or not _HASH.match(digest)
        ):
            raise PersistedQueryError(
                "BAD_USER_INPUT", "persistedQuery needs version 1 and a sha256Hash.", 400
            )
        if self.allow_list is not None:
            registered = self.allow_list.get(digest)
            if registered is None:
                raise PersistedQueryError(
                    "PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound: not registered.", 400
                )
            return registered
        key = store.key("apq", digest)
        if query is not None:
            if sha256(query) != digest:
                raise PersistedQueryError(
                    "BAD_USER_INPUT", "provided sha does not match query", 400
                )
            try:
                await store.redis.set(key, query, ex=APQ_TTL)
            except RedisError as exc:  # the query still runs; the next hash-only send misses
                log.warning("persisted query not stored: %s", exc)
            return query
        text: bytes | str | None = None
        try:
            text = await store.redis.get(key)
        except RedisError as exc:
            log.warning("persisted query lookup failed: %s", exc)
        if text is None:
            # Apollo clients retry with the full text when they see this message.
            raise PersistedQueryError("PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")
        return text.decode() if isinstance(text, bytes) else str(text)
