"""Fuzzing: queries and mutations generated from schema.graphql (hypothesis-graphql), sent
over HTTP by a signed-in operator. Whatever they ask, no answer may be an unexpected internal
error. CI runs a bounded, reproducible number of examples; raise QUANZI_FUZZ_EXAMPLES (and
set QUANZI_FUZZ_SEED for other draws) for a longer hunt: bench/fuzz_bench.py does."""

from __future__ import annotations

import base64
import json
import os
from datetime import UTC, datetime, timedelta, timezone

import hypothesis_graphql as hg
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes

from api.schema import export_sdl
from domain.models import Role
from quanzi.bootstrap import Runtime
from tests.conftest import Api
from tests.factories import make_post, make_user, token_for

EXAMPLES = int(os.environ.get("QUANZI_FUZZ_EXAMPLES", "120"))
SEED = os.environ.get("QUANZI_FUZZ_SEED")  # unset: the same draws every run
# Beyond hypothesis-graphql's defaults: the edges a hostile client reaches for. Lone
# surrogates (valid in JSON and GraphQL escapes, storable nowhere), cursors carrying integers
# past a bigint, timestamps without an offset or off the calendar, and instants at both ends
# of the calendar with every offset (in any String, `after` included, and any DateTime).
OFFSETS = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
EDGE_INSTANTS = st.one_of(
    st.datetimes(max_value=datetime(1, 1, 3)),
    st.datetimes(min_value=datetime(9999, 12, 29)),
)
SURROGATES = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF, categories=["Cs"])
BIG_INTEGERS = st.one_of(
    st.integers(),
    st.integers(min_value=2**63 - 2, max_value=2**64),
    st.integers(min_value=-(2**64), max_value=-(2**63) + 1),
)
STAMPS = st.one_of(
    st.datetimes(timezones=st.none() | OFFSETS),
    EDGE_INSTANTS.flatmap(lambda at: OFFSETS.map(lambda tz: at.replace(tzinfo=tz))),
).map(datetime.isoformat)
CURSOR_VALUES = st.one_of(
    BIG_INTEGERS, STAMPS, st.text(SURROGATES, max_size=3), st.text(max_size=8), st.floats()
)
# Shaped like the cursors the server writes (keyset, HOT and RECOMMENDED snapshots, search
# ranks, counts), so that forged values reach the queries behind them, and any list at all.
CURSORS = st.one_of(
    st.tuples(STAMPS, BIG_INTEGERS),
    st.tuples(st.sampled_from(["all:", "all:x"]) | st.text(SURROGATES, max_size=2), BIG_INTEGERS),
    st.tuples(st.floats(), STAMPS, BIG_INTEGERS),
    st.tuples(BIG_INTEGERS, BIG_INTEGERS),
    st.lists(CURSOR_VALUES, min_size=1, max_size=3),
).map(
    lambda values: base64.urlsafe_b64encode(json.dumps(list(values)).encode()).rstrip(b"=").decode()
)
STRINGS = st.one_of(
    st.text(),
    st.text(),
    st.tuples(st.text(max_size=4), SURROGATES, st.text(max_size=4)).map("".join),
    CURSORS,
)
DATETIMES = st.one_of(
    st.datetimes(timezones=st.just(UTC)),
    st.datetimes(timezones=OFFSETS),
    EDGE_INSTANTS.flatmap(lambda at: OFFSETS.map(lambda tz: at.replace(tzinfo=tz))),
    st.datetimes(),  # no offset
).map(datetime.isoformat)
SCALARS = {
    "Date": st.dates().map(lambda d: nodes.String(d.isoformat())),
    "DateTime": DATETIMES.map(nodes.String),
    "String": STRINGS.map(nodes.String),
}


def _generated(strategy: st.SearchStrategy[object]) -> list[str]:
    found: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        derandomize=SEED is None,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(query=strategy)
    def collect(query: object) -> None:
        found.append(str(query))

    if SEED is not None:
        collect = seed(int(SEED))(collect)
    collect()
    return found


async def _no_internal_errors(api: Api, runtime: Runtime, queries: list[str]) -> None:
    operator = await make_user(role=Role.OPERATOR)
    await make_post(operator, "一篇帖子 #话题#")
    token = token_for(runtime, operator)
    failures = []
    for query in queries:
        # ASCII JSON, whose escapes carry lone surrogates as a hostile client sends them.
        response = await api.client.post(
            "/graphql",
            content=json.dumps({"query": query}).encode(),
            headers={"Authorization": f"Bearer {token}", "content-type": "application/json"},
        )
        if response.status_code not in (200, 400):
            failures.append((response.status_code, None, query))
            continue
        result = response.json()
        for error in result.get("errors") or []:
            code = (error.get("extensions") or {}).get("code")
            # With PostgreSQL and Redis up, SERVICE_UNAVAILABLE is a bug too (a value Redis
            # or the database refused, taken for an outage).
            if code in (None, "INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE"):
                failures.append((code, error.get("path"), query))
    assert failures == [], failures[:3]


async def test_generated_queries_never_fail_internally(api: Api, runtime: Runtime) -> None:
    queries = _generated(hg.queries(export_sdl(), custom_scalars=SCALARS))
    assert len(queries) >= min(EXAMPLES, 50)
    await _no_internal_errors(api, runtime, queries)


async def test_generated_mutations_never_fail_internally(api: Api, runtime: Runtime) -> None:
    mutations = _generated(hg.mutations(export_sdl(), custom_scalars=SCALARS))
    assert len(mutations) >= min(EXAMPLES, 50)
    await _no_internal_errors(api, runtime, mutations)


async def test_what_the_fuzzer_found_answers_cleanly(api: Api, runtime: Runtime) -> None:
    token = token_for(runtime, await make_user())
    # A topic name longer than any topic can have: no such topic, not a server error.
    long_name = await api.execute('{ topic(name: "' + "长" * 40 + '") { name } }', token=token)
    assert long_name == {"data": {"topic": None}}
    # U+0000, which PostgreSQL cannot store, in a literal and in a variable.
    literal = await api.execute('{ topic(name: "a\\u0000") { name } }', token=token)
    assert [e["extensions"]["code"] for e in literal["errors"]] == ["BAD_USER_INPUT"]
    variable = await api.execute(
        "query T($n: String!) { topic(name: $n) { name } }", {"n": "a\u0000"}, token=token
    )
    assert [e["extensions"]["code"] for e in variable["errors"]] == ["BAD_USER_INPUT"]


async def test_reports_over_dates_at_the_ends_of_the_calendar_answer_cleanly(
    api: Api, runtime: Runtime
) -> None:
    """Found by bench/fuzz_bench.py: the first and last days a GraphQL Date can name fell off
    the calendar when turned into community time (OverflowError, an internal error)."""
    token = token_for(runtime, await make_user(role=Role.OPERATOR))
    selections = {
        "communityMetrics": "{ wau }",
        "shareFunnel": "{ name count }",
        "reviewMetrics": "{ appealsOverturned }",
        "feedbackMetrics": "{ received }",
    }
    for field, selection in selections.items():
        for start, end, blamed in (
            ("0001-01-01", "0001-01-02", "from"),
            ("9999-12-30", "9999-12-31", "to"),
        ):
            result = await api.execute(
                f'{{ {field}(from: "{start}", to: "{end}") {selection} }}', token=token
            )
            error = result["errors"][0]
            assert error["extensions"]["code"] == "BAD_USER_INPUT", result
            assert error["extensions"].get("field") == blamed


# Operations taking the fuzzed values as variables (hypothesis-graphql writes literals only).
PAGES = "{ edges { cursor } pageInfo { hasNextPage } }"
VARIABLE_PROBES = (
    *(
        (f"query F($a: String) {{ feed(kind: {kind}, first: 2, after: $a) {PAGES} }}", "a")
        for kind in ("HOT", "LATEST", "FOLLOWING", "RECOMMENDED", "FEATURED")
    ),
    (
        'query S($a: String) { search(query: "帖子", kind: POSTS, first: 2, after: $a) '
        + PAGES
        + " }",
        "a",
    ),
    ("query T($n: String!) { topic(name: $n) { name } }", "n"),
    *(
        (f"query C($a: String) {{ {field}(first: 2, after: $a) {{ totalCount }} }}", "a")
        for field in ("sanctions", "sensitiveWords", "moderationLog", "alerts", "feedbackTickets")
    ),
    ("query Q($a: String) { reviewQueue(stage: FIRST, first: 2, after: $a) { totalCount } }", "a"),
    ("query L($d: DateTime) { moderationLog(filter: {from: $d}) { totalCount } }", "d"),
    ("query W($n: String) { sensitiveWords(query: $n) { totalCount } }", "n"),
    ("query K($n: String!) { checkText(text: $n) { verdict matches { start end } } }", "n"),
    ("query N($n: String!) { consoleLoginRequest(nonce: $n) { ip } }", "n"),
    (
        'mutation P($d: DateTime) { pinPost(postId: "UG9zdDox", scope: GLOBAL, until: $d) '
        "{ post { id } } }",
        "d",
    ),
)


async def test_generated_variables_never_fail_internally(api: Api, runtime: Runtime) -> None:
    operator = await make_user(role=Role.OPERATOR)
    await make_post(operator, "一篇帖子 #话题#")
    token = token_for(runtime, operator)
    values = {
        "a": _generated(CURSORS),
        "n": _generated(STRINGS),
        "d": _generated(DATETIMES),
    }
    failures = []
    for query, name in VARIABLE_PROBES:
        for value in values[name]:
            response = await api.client.post(
                "/graphql",
                content=json.dumps({"query": query, "variables": {name: value}}).encode(),
                headers={"Authorization": f"Bearer {token}", "content-type": "application/json"},
            )
            codes = (
                [
                    (e.get("extensions") or {}).get("code")
                    for e in response.json().get("errors") or []
                ]
                if response.status_code in (200, 400)
                else [response.status_code]
            )
            if {None, "INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE", 500} & set(codes):
                failures.append((codes, query, value))
    assert failures == [], failures[:3]
