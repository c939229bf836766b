"""The documents of the allow-list mode (`QUANZI_PERSISTED_QUERIES_DIR`), read once at
start-up. The directory (searched recursively) holds:

- `.graphql` files, each registered whole under the sha256 of its text: a raw client sends
  that hash and names the operation to run in `operationName`;
- `.json` manifests, each operation registered under its own id with exactly its body, the
  fragments it spreads included, in either format clients generate:
  Apollo's persisted query manifest (`@apollo/generate-persisted-query-manifest`):
  `{"format": "apollo-persisted-query-manifest", "version": 1,
  "operations": [{"id", "name", "type", "body"}]}`, or graphql-codegen's
  `persisted-documents.json` (client preset): `{"<hash>": "<body>"}`.

Every document must parse and validate against the schema within the guards' limits, an
Apollo entry's `name` and `type` must be those of its body, an id that looks like a sha256
(64 hex digits, `sha256:` prefix or not) must be the sha256 of its body, and one id names one
body. Otherwise start-up fails, naming the file and the operation."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from graphql import GraphQLError, OperationDefinitionNode, parse

from quanzi.settings import ConfigError

APOLLO_FORMAT = "apollo-persisted-query-manifest"
SHA256 = re.compile(r"^[0-9a-f]{64}$")
# Ids are opaque to the server beyond this: Apollo's and codegen's are sha256 hex by default,
# both let a build choose its own.
_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")

# (document text) -> why it would not run; empty when it would (api.guards.document_problems).
Check = Callable[[str], list[str]]
# A document found: its id (None when not one), text, where (file and operation), and the
# {name: type} its manifest says it defines.
Entry = tuple[str | None, str, str, dict[str, str]]


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def normalize_id(raw: object) -> str | None:
    """A document id as registered and looked up (the GraphQL-over-HTTP proposal's `sha256:`
    prefix dropped); None when it is not one."""
    if not isinstance(raw, str):
        return None
    plain = raw.removeprefix("sha256:")
    return plain if _ID.match(plain) else None


def operations_of(text: str) -> dict[str, str]:
    """name -> type ("query", "mutation", "subscription") of a document's named operations;
    empty when it does not parse."""
    try:
        document = parse(text, no_location=True)
    except GraphQLError:
        return {}
    return {
        d.name.value: d.operation.value
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode) and d.name is not None
    }


def _refuse(where: str, problem: str) -> ConfigError:
    return ConfigError(f"Quanzi cannot start: persisted documents: {where}: {problem}")


def load_documents(directory: Path, check: Check) -> dict[str, str]:
    """id -> text of every document under `directory` (see the module); ConfigError when one
    is wrong or there are none."""
    documents: dict[str, str] = {}
    sources: dict[str, str] = {}
    entries: list[Entry] = []
    for path in sorted(directory.rglob("*.graphql")):
        text = path.read_text(encoding="utf-8")
        entries.append((sha256(text), text, str(path), {}))
    for path in sorted(directory.rglob("*.json")):
        entries += _manifest_entries(path)
    for doc_id, text, where, declared in entries:
        if doc_id is None:
            raise _refuse(where, "its id is not a document id (up to 128 of A-Z a-z 0-9 _ . : -)")
        problems = check(text)
        if problems:
            raise _refuse(where, "; ".join(problems[:3]))
        defined = operations_of(text)
        for name, kind in declared.items():
            if defined.get(name) != kind:
                raise _refuse(where, f"the body defines no {kind} named {name}")
        if SHA256.match(doc_id) and sha256(text) != doc_id:
            raise _refuse(where, f"id {doc_id} is not the sha256 of its body ({sha256(text)})")
        if documents.get(doc_id, text) != text:
            raise _refuse(where, f"id {doc_id} names another body in {sources[doc_id]}")
        documents[doc_id] = text
        sources.setdefault(doc_id, where)
    if not documents:
        raise ConfigError(
            f"Quanzi cannot start: no .graphql or .json documents under {directory} for the"
            " allow-list (QUANZI_PERSISTED_QUERIES_DIR)"
        )
    return documents


def _manifest_entries(path: Path) -> list[Entry]:
    """(id, body, where, {declared name: type}) of each operation of a manifest."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise _refuse(str(path), f"not JSON ({exc})") from None
    if isinstance(data, dict) and "format" in data:
        return list(_apollo_entries(path, data))
    if isinstance(data, dict) and all(isinstance(v, str) for v in data.values()):
        entries: list[Entry] = []
        for key, body in data.items():
            names = list(operations_of(body)) or [key]
            entries.append((normalize_id(key), body, f"{path}: operation {names[0]}", {}))
        return entries
    raise _refuse(
        str(path),
        f'neither Apollo\'s persisted query manifest ({{"format": "{APOLLO_FORMAT}", ...}})'
        ' nor graphql-codegen\'s persisted documents ({"<hash>": "<document>"})',
    )


def _apollo_entries(path: Path, data: dict[str, object]) -> Iterator[Entry]:
    if data.get("format") != APOLLO_FORMAT or data.get("version") != 1:
        raise _refuse(
            str(path),
            f"format {data.get('format')!r} version {data.get('version')!r}; the format"
            f" understood is {APOLLO_FORMAT!r} version 1",
        )
    operations = data.get("operations")
    if not isinstance(operations, list):
        raise _refuse(str(path), "no list of operations")
    for i, operation in enumerate(operations):
        entry = operation if isinstance(operation, dict) else {}
        name, kind, body = entry.get("name"), entry.get("type"), entry.get("body")
        where = f"{path}: operation {name if isinstance(name, str) else f'#{i}'}"
        if not (isinstance(name, str) and isinstance(kind, str) and isinstance(body, str)):
            raise _refuse(where, "an operation needs an id, a name, a type and a body")
        yield normalize_id(entry.get("id")), body, where, {name: kind}
