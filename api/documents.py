"""The parsed documents a process keeps, within a budget of tokens.

graphql-core's syntax tree keeps every token of its text, about 360 bytes a token: a 6 KB
text of 3,000 tokens (`{ f(ids: [1 1 1 …]) }`, within the token limit) parses to 1.1 MB,
where the client's Feed (128 tokens) is 62 KB. Kept by count — 1,024 documents in the parse
cache, and as many again in each of validation's caches, the compiled plans and the known
operations — anyone, signed in or not, could have a worker hold gigabytes with a few
megabytes of requests.

So documents are kept here alone, by their tokens: `TOKENS_MAX` in all, the least recently
used going first, none over an eighth of it. What is derived from a document and kept with
a reference to it (api.guards' validation answers, api.compiled.plans' plans,
api.known_operations, api.lookahead) is kept only while its document is here (`holds`,
`holds_node`) and is dropped when it goes (`derived`): the budget bounds them all."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, MutableMapping
from functools import partial
from typing import Any, TypeVar

from graphql import DocumentNode, Node, parse

V = TypeVar("V")

# ~70 MB at most of syntax trees; the contract's ~150 documents take about 25,000.
TOKENS_MAX = 200_000


def token_count(document: DocumentNode) -> int:
    """The tokens of a parsed document (its text's, start and end of file included)."""
    count = 0
    token = document.loc.start_token if document.loc is not None else None
    while token is not None:
        count += 1
        token = token.next
    return count


class ParsedDocuments:
    """graphql-core's `parse`, its documents kept within `tokens_max` tokens (the module's
    doc). One per process (`DOCUMENTS`): the edge and every schema share it, so a text is
    parsed once and its document is the same object everywhere."""

    def __init__(self, tokens_max: int = TOKENS_MAX) -> None:
        self.tokens_max = tokens_max
        self.tokens = 0
        self._kept: OrderedDict[Hashable, tuple[DocumentNode, int]] = OrderedDict()
        # id of a kept document and of each of its definitions -> (that node, its document)
        self._nodes: dict[int, tuple[Node, DocumentNode]] = {}
        self._forgetting: list[Callable[[DocumentNode], None]] = []

    def parse(self, query: str, **options: Any) -> DocumentNode:
        """The document of `query` (graphql-core's GraphQLError where it does not parse)."""
        key = (query, tuple(sorted(options.items())))
        hit = self._kept.get(key)
        if hit is not None:
            self._kept.move_to_end(key)
            return hit[0]
        document = parse(query, **options)
        cost = token_count(document)
        if cost <= self.tokens_max // 8:
            self._keep(key, document, cost)
        return document

    def holds(self, document: DocumentNode) -> bool:
        """Whether `document` is kept here (what is derived from it may be kept too)."""
        return self.holds_node(document)

    def holds_node(self, node: Node) -> bool:
        """Whether `node` is a kept document or one of its definitions (an operation)."""
        entry = self._nodes.get(id(node))
        return entry is not None and entry[0] is node

    def on_forget(self, forget: Callable[[DocumentNode], None]) -> None:
        """Call `forget` with every document that stops being kept."""
        self._forgetting.append(forget)

    def derived(self, store: MutableMapping[Any, V], node_of: Callable[[V], Node]) -> None:
        """Keep `store`, whose entries each hold a node of a kept document (`node_of(entry)`:
        the document or one of its definitions), to kept documents: an entry goes with its
        document."""
        self.on_forget(partial(drop_derived, store, node_of))

    def clear(self) -> None:
        while self._kept:
            self._drop_oldest()

    def __len__(self) -> int:
        return len(self._kept)

    def _keep(self, key: Hashable, document: DocumentNode, cost: int) -> None:
        while self._kept and self.tokens + cost > self.tokens_max:
            self._drop_oldest()
        self._kept[key] = (document, cost)
        self.tokens += cost
        for node in (document, *document.definitions):
            self._nodes[id(node)] = (node, document)

    def _drop_oldest(self) -> None:
        _, (document, cost) = self._kept.popitem(last=False)
        self.tokens -= cost
        for node in (document, *document.definitions):
            self._nodes.pop(id(node), None)
        for forget in self._forgetting:
            forget(document)


def drop_derived(
    store: MutableMapping[Any, V], node_of: Callable[[V], Node], document: DocumentNode
) -> None:
    """The entries of `store` whose node is `document` or one of its definitions, dropped."""
    nodes = {id(document), *(id(d) for d in document.definitions)}
    for key in [k for k, entry in store.items() if id(node_of(entry)) in nodes]:
        del store[key]


DOCUMENTS = ParsedDocuments()
