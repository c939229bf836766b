"""Fuzzing: queries and mutations generated from schema.graphql (hypothesis-graphql), sent
over HTTP by a signed-in operator. Whatever they ask, no answer may be an unexpected internal
error. CI runs a bounded, reproducible number of examples; raise QUANZI_FUZZ_EXAMPLES (and
set QUANZI_FUZZ_SEED for other draws) for a longer hunt: bench/fuzz_bench.py does."""

from __future__ import annotations

import os

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
SCALARS = {
    "Date": st.dates().map(lambda d: nodes.String(d.isoformat())),
    "DateTime": st.datetimes().map(lambda d: nodes.String(d.isoformat() + "Z")),
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
        result = await api.execute(query, token=token)
        for error in result.get("errors") or []:
            code = (error.get("extensions") or {}).get("code")
            if code in (None, "INTERNAL_SERVER_ERROR"):
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
    for field in ("communityMetrics", "shareFunnel"):
        selection = "{ wau }" if field == "communityMetrics" else "{ name count }"
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
