"""Persisted queries. Automatic (Apollo's protocol): a client sends
`extensions.persistedQuery.sha256Hash` without the text; on a miss it is told
PERSISTED_QUERY_NOT_FOUND and sends text and hash once, which is then kept in Redis. With an
allow-list (production), only registered documents run (api/persisted_documents.py: whole
.graphql files, and the per-operation manifests Apollo and graphql-codegen generate). A
document may also be named by a top-level `documentId` (the GraphQL-over-HTTP persisted
documents proposal, `sha256:` prefix or not), in either mode.
The text of a hit goes through the parser and validation caches, so a hit costs neither.

Anyone may register, so storing is bounded: a document is kept only when it is small
(`MAX_BYTES`), parses and validates against the schema, its sender has registered fewer than
`REGISTRATIONS_PER_HOUR` documents this hour, and fewer than `MAX_DOCUMENTS` are kept.
Otherwise it still runs once, as free text would, and is not kept. The operation names of
kept and allow-listed documents are the ones /metrics gives a series of their own."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from redis.exceptions import RedisError

from api.persisted_documents import SHA256, normalize_id, operations_of, sha256
from api.telemetry import know_operations
from quanzi.bootstrap import RedisStore

log = logging.getLogger("quanzi.persisted")

APQ_TTL = 30 * 24 * 3600
# The contract's largest operation, fragments included, is 1.3 KB; its 85 operations would
# be registered by one fresh client within an hour.
MAX_BYTES = 8 * 1024
MAX_DOCUMENTS = 2_000
REGISTRATIONS_PER_HOUR = 120
# Digests whose operation names this process has already made known (bounded).
_NAMED_MAX = 4 * MAX_DOCUMENTS

# Keep a digest in the index of kept documents unless the index is full; drop expired ones
# first. KEYS: index, document, registrations of the sender. ARGV: digest, text, now, ttl,
# max documents, max registrations. Answers 1 when kept.
_STORE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
local known = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not known then
  if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[5]) then return 0 end
  local n = redis.call('INCR', KEYS[3])
  if n == 1 then redis.call('EXPIRE', KEYS[3], 3600) end
  if n > tonumber(ARGV[6]) then return 0 end
end
redis.call('ZADD', KEYS[1], tonumber(ARGV[3]) + tonumber(ARGV[4]), ARGV[1])
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[4])
return 1
"""


class PersistedQueryError(Exception):
    """Answered as one GraphQL error with this code and message (or, with `key`, the text of
    domain/texts in the caller's language), HTTP `status` and `headers`."""

    def __init__(
        self,
        code: str,
        message: str,
        status: int = 200,
        *,
        key: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.key = key
        self.headers = headers or {}


def operation_names(text: str) -> list[str]:
    """The names of the operations a document defines; none when it does not parse."""
    return list(operations_of(text))


def requested_id(extensions: object, document_id: object) -> str | None:
    """The id of the document a request names, by `extensions.persistedQuery` or by
    `documentId`; None when it names none (free text)."""
    persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
    if persisted is None and document_id is None:
        return None
    named: list[str | None] = []
    if persisted is not None:
        digest = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
        if not isinstance(persisted, dict) or persisted.get("version") != 1:
            digest = None
        named.append(normalize_id(digest))
    if document_id is not None:
        named.append(normalize_id(document_id))
    if None in named or len(set(named)) > 1:
        raise PersistedQueryError(
            "BAD_USER_INPUT",
            "persistedQuery needs version 1 and a sha256Hash (documentId: a document id), and"
            " the two must agree when both are sent.",
            400,
        )
    return named[0]


class PersistedQueries:
    def __init__(
        self,
        allow_list: dict[str, str] | None = None,
        *,
        accepts: Callable[[str], bool] = lambda text: True,
    ) -> None:
        """`accepts(text)`: whether a document parses and validates, to be kept."""
        self.allow_list = allow_list
        self.accepts = accepts
        self._named: set[str] = set()
        for text in (allow_list or {}).values():
            know_operations(operation_names(text))

    async def resolve(
        self,
        store: RedisStore,
        query: str | None,
        extensions: object,
        sender: str = "unknown",
        document_id: object = None,
    ) -> str | None:
        """The query text to run, or PersistedQueryError. `sender`: the client's address,
        which registrations are counted by; `document_id`: the request's `documentId`."""
        digest = requested_id(extensions, document_id)
        if digest is None:
            if self.allow_list is not None:
                raise PersistedQueryError(
                    "PERSISTED_QUERY_NOT_SUPPORTED",
                    "Only registered operations run here: send extensions.persistedQuery"
                    " or documentId.",
                    400,
                )
            return query
        if self.allow_list is not None:
            registered = self.allow_list.get(digest)
            if registered is None:
                raise PersistedQueryError(
                    "PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound: not registered.", 400
                )
            return registered
        if not SHA256.match(digest):
            raise PersistedQueryError(
                "BAD_USER_INPUT", "An automatic persisted query is named by its sha256.", 400
            )
        key = store.key("apq", digest)
        if query is not None:
            if sha256(query) != digest:
                raise PersistedQueryError(
                    "BAD_USER_INPUT", "provided sha does not match query", 400
                )
            if await self._keep(store, digest, query, sender):
                self._name(digest, query)
            return query
        text: bytes | str | None = None
        try:
            text = await store.redis.get(key)
        except RedisError as exc:
            log.warning("persisted query lookup failed: %s", exc)
        if text is None:
            # Apollo clients retry with the full text when they see this message.
            raise PersistedQueryError("PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")
        found = text.decode() if isinstance(text, bytes) else str(text)
        self._name(digest, found)
        return found

    async def _keep(self, store: RedisStore, digest: str, text: str, sender: str) -> bool:
        """Store `text` under its digest if it may be kept (see the module's rules)."""
        if len(text.encode()) > MAX_BYTES or not self.accepts(text):
            return False
        keys = [store.key("apq", "index"), store.key("apq", digest), store.key("apq", "by", sender)]
        args: list[str | int] = [
            digest,
            text,
            int(time.time()),
            APQ_TTL,
            MAX_DOCUMENTS,
            REGISTRATIONS_PER_HOUR,
        ]
        try:
            kept = await store.redis.register_script(_STORE)(keys=keys, args=args)
        except RedisError as exc:  # the query still runs; the next hash-only send misses
            log.warning("persisted query not stored: %s", exc)
            return False
        if not kept:
            log.info("persisted query %s not stored: the store is full or the sender over", digest)
        return bool(kept)

    def _name(self, digest: str, text: str) -> None:
        """Make the operation names of a kept document known to /metrics, once per process."""
        if digest in self._named or len(self._named) >= _NAMED_MAX:
            return
        self._named.add(digest)
        know_operations(operation_names(text))
