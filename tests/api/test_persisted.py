"""Persisted queries: automatic (hash first, text on a miss) and the production allow-list."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from api.ids import to_global_id
from api.persisted import MAX_DOCUMENTS, REGISTRATIONS_PER_HOUR, sha256
from quanzi import cli
from quanzi.bootstrap import Runtime
from quanzi.settings import ConfigError
from quanzi.tools.persisted_manifest import build_manifest, graphql_files
from tests.conftest import configured_api
from tests.contract import CONTRACT_DIR, operation
from tests.factories import make_post, make_user, token_for

VIEWER = "query Probe { viewer { id nickname } }"


def _persisted(digest: str) -> dict:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


async def test_a_hash_alone_misses_once_then_runs_from_redis(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    member = await make_user(nickname="小明")
    headers = {"Authorization": f"Bearer {token_for(runtime, member)}"}
    digest = sha256(VIEWER)
    miss = await client.post("/graphql", json={"extensions": _persisted(digest)}, headers=headers)
    assert miss.status_code == 200
    assert miss.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    assert miss.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    registered = await client.post(
        "/graphql", json={"query": VIEWER, "extensions": _persisted(digest)}, headers=headers
    )
    assert registered.json()["data"]["viewer"]["nickname"] == "小明"
    hit = await client.post("/graphql", json={"extensions": _persisted(digest)}, headers=headers)
    assert hit.json()["data"]["viewer"]["nickname"] == "小明"
    # A text that does not hash to what it claims is refused and not stored.
    forged = await client.post(
        "/graphql",
        json={"query": "{ __typename }", "extensions": _persisted("0" * 64)},
        headers=headers,
    )
    assert forged.status_code == 400
    assert forged.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    again = await client.post("/graphql", json={"extensions": _persisted("0" * 64)})
    assert again.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    malformed = await client.post(
        "/graphql", json={"extensions": {"persistedQuery": {"version": 2, "sha256Hash": "x"}}}
    )
    assert malformed.status_code == 400


async def test_with_an_allow_list_only_registered_documents_run(
    runtime: Runtime, tmp_path: Path
) -> None:
    member = await make_user(nickname="小红")
    headers = {"Authorization": f"Bearer {token_for(runtime, member)}"}
    app_document = (CONTRACT_DIR / "app.graphql").read_text(encoding="utf-8")
    async with configured_api(runtime, persisted_queries_dir=CONTRACT_DIR) as (_, client):
        ok = await client.post(
            "/graphql",
            json={"operationName": "Viewer", "extensions": _persisted(sha256(app_document))},
            headers=headers,
        )
        assert ok.json()["data"]["viewer"]["nickname"] == "小红", ok.text
        free_text = await client.post("/graphql", json={"query": VIEWER}, headers=headers)
        assert free_text.status_code == 400
        assert free_text.json()["errors"][0]["extensions"]["code"] == (
            "PERSISTED_QUERY_NOT_SUPPORTED"
        )
        unknown = await client.post(
            "/graphql",
            json={"query": VIEWER, "extensions": _persisted(sha256(VIEWER))},
            headers=headers,
        )
        assert unknown.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


async def _register(client: httpx.AsyncClient, text: str) -> httpx.Response:
    return await client.post(
        "/graphql", json={"query": text, "extensions": _persisted(sha256(text))}
    )


async def _kept(client: httpx.AsyncClient, text: str) -> bool:
    hit = await client.post("/graphql", json={"extensions": _persisted(sha256(text))})
    codes = [e["extensions"]["code"] for e in hit.json().get("errors") or []]
    return "PERSISTED_QUERY_NOT_FOUND" not in codes


async def test_only_small_documents_that_parse_and_validate_are_kept(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    unparsable = "this is not graphql " + "x" * 100
    unknown_field = "query Nope { viewer { passwordHash } }"
    oversized = "query Padded { viewer { id } }\n" + "# padding\n" * 1_000  # 10 KB, few tokens
    too_broad = "{" + " viewer{id}" * 300 + " }"
    for text in (unparsable, unknown_field, oversized, too_broad):
        answered = await _register(client, text)
        assert answered.status_code in (200, 400), text[:40]
        assert not await _kept(client, text), text[:40]
    assert [k async for k in runtime.redis.scan_iter(match=runtime.store.key("apq", "*"))] == []
    assert (await _register(client, VIEWER)).json()["data"] == {"viewer": None}
    assert await _kept(client, VIEWER)


async def test_registrations_are_limited_per_sender_and_in_all(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    documents = [f"query Probe{i} {{ viewer {{ id }} }}" for i in range(REGISTRATIONS_PER_HOUR + 5)]
    for text in documents:
        assert (await _register(client, text)).json()["data"] == {"viewer": None}
    kept = [await _kept(client, text) for text in documents]
    assert kept == [True] * REGISTRATIONS_PER_HOUR + [False] * 5
    # Registering a kept document again only refreshes it.
    assert (await _register(client, documents[0])).status_code == 200 and await _kept(
        client, documents[0]
    )
    # Another sender, with the store full of documents that have not expired: nothing kept.
    await runtime.redis.delete(runtime.store.key("apq", "by", "127.0.0.1"))
    index = runtime.store.key("apq", "index")
    filler = {f"{n:064x}": time.time() + 3600 for n in range(MAX_DOCUMENTS)}
    await runtime.redis.zadd(index, filler)
    late = "query Late { viewer { id } }"
    assert (await _register(client, late)).json()["data"] == {"viewer": None}
    assert not await _kept(client, late)
    assert await runtime.redis.zcard(index) <= MAX_DOCUMENTS + REGISTRATIONS_PER_HOUR


# Per-operation documents: the manifests clients generate (allow-list mode).


def _manifest(tmp_path: Path, content: object, name: str = "manifest.json") -> Path:
    (tmp_path / name).write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    return tmp_path


def _apollo_ids(manifest: dict) -> dict[str, str]:
    return {o["name"]: o["id"] for o in manifest["operations"]}


async def test_an_apollo_manifest_runs_each_operation_with_its_fragments(
    runtime: Runtime, tmp_path: Path
) -> None:
    """What Apollo's createPersistedQueryLink sends with generatePersistedQueryIdsFromManifest:
    the operation's id from the manifest, its name and variables, and no text."""
    manifest = build_manifest(graphql_files([CONTRACT_DIR]))
    ids = _apollo_ids(manifest)
    author = await make_user(nickname="阿明")
    post = await make_post(author, "一篇有片段的帖子")
    (tmp_path / "allowed").mkdir()
    allowed = _manifest(tmp_path / "allowed", manifest)
    async with configured_api(runtime, persisted_queries_dir=allowed) as (
        _,
        client,
    ):
        feed = await client.post(
            "/graphql",
            json={
                "operationName": "Feed",
                "variables": {"kind": "LATEST", "first": 5},
                "extensions": _persisted(ids["Feed"]),
            },
        )
        card = feed.json()["data"]["feed"]["edges"][0]["node"]
        assert card["id"] == to_global_id("Post", post.id)
        assert card["body"] == "一篇有片段的帖子" and card["__typename"] == "Post"
        assert card["author"] == {
            "id": to_global_id("User", author.id),
            "nickname": "阿明",
            "avatarUrl": card["author"]["avatarUrl"],
            "level": 1,
            "__typename": "User",
        }
        # A build that is not the one registered: its hash misses, its retry with the text
        # too, and free text is refused.
        text = operation("Viewer")
        for body in ({"extensions": _persisted(sha256(text))}, {"query": text}):
            refused = await client.post("/graphql", json=body)
            code = refused.json()["errors"][0]["extensions"]["code"]
            expected = "PERSISTED_QUERY_NOT_SUPPORTED" if "query" in body else ""
            assert code == (expected or "PERSISTED_QUERY_NOT_FOUND")
        retry = await client.post(
            "/graphql", json={"query": text, "extensions": _persisted(sha256(text))}
        )
        assert retry.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
        # The whole-file mode of raw clients goes on beside the manifest.
        (tmp_path / "app.graphql").write_text((CONTRACT_DIR / "app.graphql").read_text())
    async with configured_api(runtime, persisted_queries_dir=tmp_path) as (_, client):
        whole = sha256((CONTRACT_DIR / "app.graphql").read_text(encoding="utf-8"))
        raw = await client.post(
            "/graphql",
            json={
                "operationName": "Feed",
                "variables": {"kind": "LATEST"},
                "extensions": _persisted(whole),
            },
        )
        assert raw.json()["data"]["feed"]["edges"][0]["node"]["author"]["nickname"] == "阿明"


async def test_codegen_persisted_documents_by_document_id_or_hash(
    runtime: Runtime, tmp_path: Path
) -> None:
    """graphql-codegen's client preset: {hash: document}; the client sends `documentId`
    (GraphQL over HTTP's proposal, `sha256:` prefixed or not) or the APQ extension."""
    member = await make_user(nickname="小codegen")
    headers = {"Authorization": f"Bearer {token_for(runtime, member)}"}
    # As the client preset writes it: keys prefixed, bodies printed on one line.
    body = " ".join(operation("Viewer").split())
    digest = sha256(body)
    _manifest(tmp_path, {f"sha256:{digest}": body}, "persisted-documents.json")
    async with configured_api(runtime, persisted_queries_dir=tmp_path) as (_, client):
        for request in (
            {"documentId": f"sha256:{digest}"},
            {"documentId": digest, "operationName": "Viewer"},
            {"extensions": _persisted(digest)},
            {"extensions": _persisted(f"sha256:{digest}")},  # codegen's __meta__.hash
            {"documentId": digest, "extensions": _persisted(digest)},
        ):
            answer = await client.post("/graphql", json=request, headers=headers)
            assert answer.json()["data"]["viewer"]["nickname"] == "小codegen", request
        unknown = await client.post("/graphql", json={"documentId": "sha256:" + "a" * 64})
        assert unknown.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
        disagreeing = await client.post(
            "/graphql", json={"documentId": digest, "extensions": _persisted("b" * 64)}
        )
        assert disagreeing.status_code == 400
        assert disagreeing.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_document_id_names_automatic_persisted_queries_too(
    client: httpx.AsyncClient,
) -> None:
    digest = sha256(VIEWER)
    miss = await client.post("/graphql", json={"documentId": f"sha256:{digest}"})
    assert miss.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert (await _register(client, VIEWER)).json()["data"] == {"viewer": None}
    hit = await client.post("/graphql", json={"documentId": f"sha256:{digest}"})
    assert hit.json() == {"data": {"viewer": None}}
    not_a_sha = await client.post("/graphql", json={"documentId": "Viewer-v1"})
    assert not_a_sha.status_code == 400


async def test_manifest_operations_get_their_own_metrics(runtime: Runtime, tmp_path: Path) -> None:
    body = "query ManifestProbe { viewer { id } }"
    _manifest(
        tmp_path,
        {
            "format": "apollo-persisted-query-manifest",
            "version": 1,
            "operations": [
                {"id": "probe-v1", "name": "ManifestProbe", "type": "query", "body": body}
            ],
        },
    )
    async with configured_api(runtime, persisted_queries_dir=tmp_path) as (_, client):
        answer = await client.post("/graphql", json={"extensions": _persisted("probe-v1")})
        assert answer.json() == {"data": {"viewer": None}}
        metrics = (await client.get("/metrics")).text
    assert 'quanzi_graphql_operation_duration_seconds_count{operation="ManifestProbe"}' in metrics


def _apollo(*operations: dict) -> dict:
    return {"format": "apollo-persisted-query-manifest", "version": 1, "operations": operations}


def _entry(body: str, name: str, kind: str = "query", digest: str | None = None) -> dict:
    return {"id": digest or sha256(body), "name": name, "type": kind, "body": body}


BAD_FIELD = "query Broken { viewer { passwordHash } }"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (
            _apollo(_entry(BAD_FIELD, "Broken")),
            "operation Broken: Cannot query field 'passwordHash'",
        ),
        ({sha256(BAD_FIELD): BAD_FIELD}, "operation Broken: Cannot query field 'passwordHash'"),
        (_apollo(_entry("query A { viewer { id } }", "A", digest="0" * 64)), "is not the sha256"),
        (
            _apollo(_entry("query A { viewer { id } }", "B")),
            "operation B: the body defines no query named B",
        ),
        (
            _apollo(_entry("query A { viewer { id } }", "A", "mutation")),
            "defines no mutation named A",
        ),
        (_apollo(_entry("query A { viewer {", "A")), "operation A: Syntax Error"),
        (_apollo({"id": "x", "name": "A"}), "operation A: an operation needs"),
        ({**_apollo(), "version": 2}, "version 1"),
        ({"name": "quanzi", "private": True}, "neither Apollo's persisted query manifest"),
        (["query A { viewer { id } }"], "neither Apollo's"),
        ({"bad id!": "query A { viewer { id } }"}, "operation A: its id is not a document id"),
    ],
)
async def test_a_wrong_manifest_stops_start_up_naming_file_and_operation(
    runtime: Runtime, tmp_path: Path, content: object, problem: str
) -> None:
    _manifest(tmp_path, content, "client.json")
    settings = runtime.settings.model_copy(update={"persisted_queries_dir": tmp_path})
    with pytest.raises(ConfigError) as refused:
        create_app(settings=settings, runtime=runtime)
    assert f"{tmp_path / 'client.json'}" in str(refused.value)
    assert problem in str(refused.value)


async def test_one_id_names_one_body_and_some_document_is_needed(
    runtime: Runtime, tmp_path: Path
) -> None:
    first, second = "query A { viewer { id } }", "query A { viewer { nickname } }"
    _manifest(tmp_path, _apollo(_entry(first, "A", digest="v1")), "one.json")
    _manifest(tmp_path, _apollo(_entry(second, "A", digest="v1")), "two.json")
    settings = runtime.settings.model_copy(update={"persisted_queries_dir": tmp_path})
    with pytest.raises(ConfigError, match=r"id v1 names another body in .*one\.json"):
        create_app(settings=settings, runtime=runtime)
    empty = tmp_path / "empty"
    empty.mkdir()
    settings = runtime.settings.model_copy(update={"persisted_queries_dir": empty})
    with pytest.raises(ConfigError, match=r"no \.graphql or \.json documents"):
        create_app(settings=settings, runtime=runtime)


def test_the_manifest_command_writes_what_the_server_registers(tmp_path: Path) -> None:
    out = tmp_path / "manifest.json"
    with pytest.raises(SystemExit) as done:
        cli.main(["persisted-manifest", "--out", str(out), str(CONTRACT_DIR / "app.graphql")])
    assert done.value.code == 0
    manifest = json.loads(out.read_text(encoding="utf-8"))
    assert manifest["format"] == "apollo-persisted-query-manifest"
    feed = next(o for o in manifest["operations"] if o["name"] == "Feed")
    assert feed["type"] == "query" and feed["id"] == sha256(feed["body"])
    assert "fragment PostCard on Post" in feed["body"] and "fragment UserChip" in feed["body"]
    assert "fragment CommentView" not in feed["body"]
