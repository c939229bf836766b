"""Input at the edges of what the service can hold: integers past a bigint in a cursor, lone
surrogates in any string, a header that is not ASCII, instants at the ends of the calendar.
Each is the client's mistake, answered BAD_USER_INPUT (401 UNAUTHENTICATED for the header,
the GRAPHQL_* codes for a document that does not parse or validate), never an internal error
or an outage."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import httpx

from api.ids import to_global_id
from domain.models import Role
from quanzi.bootstrap import Runtime
from tests.conftest import Api, error_codes
from tests.factories import make_post, make_user, token_for

FEED = '{ feed(kind: %s, first: 2, after: "%s") { edges { cursor } } }'


def _cursor(values: list[object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).rstrip(b"=").decode()


def _values(cursor: str) -> list[object]:
    return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))


async def test_cursor_integers_past_a_bigint_are_a_bad_cursor_on_every_feed(
    api: Api, runtime: Runtime
) -> None:
    member = await make_user()
    await make_post(member, "第一篇")
    await make_post(member, "第二篇")
    token = token_for(runtime, member)
    forged: list[tuple[str, str]] = []
    for kind in ("HOT", "LATEST"):
        page = await api.execute((FEED % (kind, "")).replace(', after: ""', ""), token=token)
        assert page["data"]["feed"]["edges"], (kind, page)
        first = _values(page["data"]["feed"]["edges"][0]["cursor"])
        # The same cursor with its last integer far past what a column or Redis holds.
        forged += [(kind, _cursor([*first[:-1], 2**70])), (kind, _cursor([*first[:-1], 2**63]))]
    at = "2026-01-01T00:00:00+00:00"
    forged += [
        ("FOLLOWING", _cursor([at, 2**64])),
        ("LATEST", _cursor(["2026-01-01T00:00:00", 1])),  # no offset: not a cursor we wrote
        ("LATEST", _cursor(["9999-12-31T23:00:00-05:00", 1])),
        ("LATEST", _cursor([at, -(2**63) - 1])),
        ("HOT", _cursor(["all:\ud800", 1])),
    ]
    for kind, cursor in forged:
        result = await api.execute(FEED % (kind, cursor), token=token)
        assert error_codes(result) == ["BAD_USER_INPUT"], (kind, _values(cursor), result)
        assert result["errors"][0]["extensions"]["field"] == "after"
    # A search rank past what a PostgreSQL real holds (found by bench/fuzz_bench.py).
    search = (
        'query S($a: String) { search(query: "第一篇", kind: POSTS, after: $a) '
        "{ edges { cursor } } }"
    )
    for rank in (4.86e259, float("inf")):
        result = await api.execute(search, {"a": _cursor([rank, at, 1])}, token=token)
        assert error_codes(result) == ["BAD_USER_INPUT"], (rank, result)


async def test_a_lone_surrogate_anywhere_in_a_request_is_bad_input_not_a_server_error(
    client: httpx.AsyncClient,
) -> None:
    apq = b'"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "' + b"0" * 64 + b'"}}'
    bodies = [
        b'{"query": "{ __typename }", "operationName": "\\ud800"}',
        b'{"query": "{ __typename } # \\udfff"}',
        b'{"query": "query Q($n: String!) { topic(name: $n) { name } }", '
        b'"variables": {"n": "a\\ud800"}}',
        b'{"query": "{ __typename }", "variables": {"\\ud800": 1}}',
        b'{"query": "{ __typename }\\ud800", ' + apq + b"}",
    ]
    for body in bodies:
        response = await client.post(
            "/graphql", content=body, headers={"content-type": "application/json"}
        )
        assert response.status_code == 400, (body, response.text)
        assert error_codes(response.json()) == ["BAD_USER_INPUT"], body
        assert "代理字符" in response.json()["errors"][0]["message"]
    # A GraphQL escape naming a lone surrogate in a literal: the query does not parse.
    escaped = await client.post("/graphql", json={"query": '{ topic(name: "a\\ud800") { name } }'})
    assert escaped.status_code == 200
    assert error_codes(escaped.json()) == ["GRAPHQL_PARSE_FAILED"]


async def test_a_non_ascii_authorization_header_is_unauthenticated_with_a_request_id(
    client: httpx.AsyncClient,
) -> None:
    for header in ("Bearer é".encode(), "Bearer a.b.ç".encode("latin-1"), b"\xff\xfe"):
        response = await client.post(
            "/graphql", json={"query": "{ viewer { id } }"}, headers={"Authorization": header}
        )
        assert response.status_code == 401, response.text
        assert response.headers["x-request-id"]
        assert error_codes(response.json()) == ["UNAUTHENTICATED"]
        assert response.json()["errors"][0]["extensions"]["reason"] == "token_invalid"


async def test_datetimes_at_the_ends_of_the_calendar_are_bad_input_whatever_their_offset(
    api: Api, runtime: Runtime
) -> None:
    operator = await make_user(role=Role.OPERATOR)
    post = await make_post(operator, "置顶")
    token = token_for(runtime, operator)
    pin = (
        "mutation P($d: DateTime) { pinPost(postId: $p, scope: GLOBAL, until: $d) { post { id } } }"
    )
    pin = pin.replace("P($d: DateTime)", "P($p: ID!, $d: DateTime)")
    post_id = to_global_id("Post", post.id)
    track = "mutation T($e: [ClientEventInput!]!) { trackEvents(events: $e) { accepted } }"
    for at in (
        "9999-12-31T23:00:00-05:00",
        "9999-12-31T23:00:00+05:00",
        "0001-01-01T00:00:00+05:00",
        "0001-01-01T01:00:00-05:00",
        "10000-01-01T00:00:00Z",
        "not a time",
    ):
        pinned = await api.execute(pin, {"p": post_id, "d": at}, token=token)
        assert error_codes(pinned) == ["BAD_USER_INPUT"], (at, pinned)
        tracked = await api.execute(
            track, {"e": [{"kind": "VIEW", "postId": post_id, "occurredAt": at}]}, token=token
        )
        assert error_codes(tracked) == ["BAD_USER_INPUT"], (at, tracked)
    edge = (
        "[{kind: VIEW, postId: "
        + json.dumps(post_id)
        + ', occurredAt: "9999-12-31T23:59:59-12:00"}]'
    )
    literal = await api.execute(
        f"mutation {{ trackEvents(events: {edge}) {{ accepted }} }}", token=token
    )
    # In the document itself: a literal the scalar refuses fails validation (Apollo's
    # convention), or is BAD_USER_INPUT where the scalar refuses it as the domain would.
    assert error_codes(literal) in (["GRAPHQL_VALIDATION_FAILED"], ["BAD_USER_INPUT"])
    # Within the calendar an instant is taken, without an offset on the community's clock.
    clock = runtime.rules.calendar
    recent = clock.local(datetime.now(UTC) - timedelta(minutes=1)).replace(tzinfo=None)
    fine = await api.execute(
        track,
        {"e": [{"kind": "VIEW", "postId": post_id, "occurredAt": recent.isoformat()}]},
        token=token,
    )
    assert fine == {"data": {"trackEvents": {"accepted": 1}}}, fine


async def test_an_id_spelled_any_other_way_than_the_servers_does_not_resolve(
    api: Api, runtime: Runtime
) -> None:
    member = await make_user()
    post = await make_post(member, "唯一的编号")
    token = token_for(runtime, member)
    query = "query N($id: ID!) { node(id: $id) { id } }"
    canonical = to_global_id("Post", post.id)
    assert (await api.execute(query, {"id": canonical}, token=token))["data"]["node"] == {
        "id": canonical
    }
    for raw in (f"Post: {post.id} ", f"Post:+{post.id}", f"Post:0{post.id}", "Post:١"):
        forged = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
        result = await api.execute(query, {"id": forged}, token=token)
        assert error_codes(result) == ["BAD_USER_INPUT"], (raw, result)
