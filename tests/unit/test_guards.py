"""Query guards, without a server: the client's own operations pass the default limits."""

from __future__ import annotations

import inspect
import traceback

import pytest
from graphql import parse, validate

from api.guards import (
    VARIABLE_LIST_MAX,
    VARIABLE_VALUES_MAX,
    breadth_error,
    complexity_rule,
    oversized,
)
from api.schema import DEFAULT_LIMITS, build_schema
from tests.contract import _definitions, contract_files, operation_document


def test_every_contract_operation_fits_within_the_default_limits() -> None:
    schema = build_schema(dev_login=True)._schema
    rule = complexity_rule(DEFAULT_LIMITS)
    operations, _ = _definitions()
    for name in sorted(operations):
        assert validate(schema, operation_document(name), [rule]) == [], name


def test_every_contract_operation_and_file_fits_the_breadth_and_token_limits() -> None:
    operations, _ = _definitions()
    for name in operations:
        assert breadth_error(operation_document(name), DEFAULT_LIMITS) is None, name
    for path in contract_files():
        # The allow-list serves whole files: each parses under the default token limit.
        text = path.read_text(encoding="utf-8")
        document = parse(
            text, max_tokens=inspect.signature(build_schema).parameters["max_tokens"].default
        )
        assert breadth_error(document, DEFAULT_LIMITS) is None, path.name


def test_breadth_stops_counting_past_the_limit_however_fragments_multiply() -> None:
    fragments = "\n".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(30)
    )
    document = parse("{ ...F0 }\n" + fragments + "\nfragment F30 on Query { viewer { id } }")
    error = breadth_error(document, DEFAULT_LIMITS)
    assert error is not None and error.extensions["limit"] == "fields"
    assert error.extensions["allowed"] == DEFAULT_LIMITS.fields
    # Counted one past the limit, not the 2^30 fields the fragments spread out to.
    assert error.extensions["actual"] == DEFAULT_LIMITS.fields + 1


def test_oversized_variables_name_the_field_holding_the_list_at_any_depth() -> None:
    assert oversized({"input": {"topics": ["a"] * VARIABLE_LIST_MAX}}) is None
    refused = oversized({"input": {"poll": {"options": [["a"] * (VARIABLE_LIST_MAX + 1)]}}})
    assert refused is not None
    assert (refused.message_key, refused.field) == ("too_many_items", "options")
    assert refused.params == {"max": VARIABLE_LIST_MAX}


def test_oversized_variables_count_every_value_whatever_shape_holds_them() -> None:
    rows = VARIABLE_VALUES_MAX // 10
    assert oversized({"rows": [{"k": list(range(8))} for _ in range(rows - 1)]}) is None
    wide = {f"v{i}": i for i in range(VARIABLE_VALUES_MAX + 1)}
    deep = {"rows": [{"k": list(range(8))} for _ in range(rows)]}
    for variables in (wide, deep):
        refused = oversized(variables)
        assert refused is not None
        assert (refused.message_key, refused.field) == ("too_many_values", None)


def test_a_text_that_did_not_parse_is_not_parsed_again_by_the_schema() -> None:
    from graphql import GraphQLSyntaxError

    from api.strawberry_internals import shared_parse

    edge = shared_parse(3_000)
    hostile = "{" + " viewer{id}" * 1_200 + " } # test_guards"
    with pytest.raises(GraphQLSyntaxError) as first:
        edge(hostile)
    assert "more than 3000 tokens" in first.value.message
    # The schema's parse (the same function behind SharedParserCache) answers the error it
    # kept, without its traceback (the parser's frames and tokens), instead of a new one.
    with pytest.raises(GraphQLSyntaxError) as again:
        shared_parse(3_000)(hostile)
    assert again.value is first.value
    frames = traceback.extract_tb(again.value.__traceback__)
    assert not [f for f in frames if "graphql/language" in f.filename]
    assert edge("{ viewer { id } }") is edge("{ viewer { id } }")
