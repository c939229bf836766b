"""Look-ahead: which fields a query selects on the nodes of a connection.

A page's relations (authors, topics, the viewer's likes...) are then loaded in one round by
the connection's resolver, before its cards resolve, and every card field answers from the
DataLoaders' cache without a coroutine. Per card and field, a coroutine and the task that
gathers it cost more than the field itself; a feed page has a hundred of them."""

from __future__ import annotations

from graphql import FieldNode, OperationDefinitionNode
from strawberry.types import Info

from api import selections
from api.documents import DOCUMENTS
from api.strawberry_internals import raw_info

MEMO_SIZE = 1024

# Parsed documents are kept (api/documents.py), so a query's field nodes are the same objects
# request after request: the answer is kept by node, with the node itself to rule out a
# reused id.
_memo: dict[int, tuple[FieldNode, OperationDefinitionNode, frozenset[str]]] = {}


def node_fields(info: Info) -> frozenset[str]:
    """Names of the fields selected on `edges { node { … } }` of the connection being
    resolved (under any alias, in any fragment; @skip and @include are not evaluated, so
    this may say more than will be read, never less)."""
    raw = raw_info(info)
    first = raw.field_nodes[0]
    hit = _memo.get(id(first))
    if hit is not None and hit[0] is first:
        return hit[2]
    answer = selections.node_fields(raw.field_nodes, raw.fragments)
    if not DOCUMENTS.holds_node(raw.operation):
        return answer  # kept only while its document is (api/documents.py)
    if len(_memo) >= MEMO_SIZE:
        _memo.clear()
    _memo[id(first)] = (first, raw.operation, answer)
    return answer


DOCUMENTS.derived(_memo, lambda entry: entry[1])  # (the answer's operation)
