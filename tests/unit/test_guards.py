"""Query guards, without a server: the client's own operations pass the default limits."""

from __future__ import annotations

from graphql import validate

from api.guards import complexity_rule
from api.schema import DEFAULT_LIMITS, build_schema
from tests.contract import _definitions, operation_document


def test_every_contract_operation_fits_within_the_default_limits() -> None:
    schema = build_schema(dev_login=True)._schema
    rule = complexity_rule(DEFAULT_LIMITS)
    operations, _ = _definitions()
    for name in operations:
        assert validate(schema, operation_document(name), [rule]) == [], name
