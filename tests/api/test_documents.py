"""What a hostile caller can make a worker hold with documents (api/documents.py): parsed
documents are kept within a budget of tokens, and nothing derived from a document (its
validation, its plan, its being known) keeps one the budget has let go."""

from __future__ import annotations

import gc

from graphql import DocumentNode

from api import guards
from api.compiled import plans
from api.documents import DOCUMENTS, TOKENS_MAX, ParsedDocuments, token_count
from quanzi.bootstrap import Runtime
from tests.conftest import Api, error_codes
from tests.factories import make_user, token_for

# ~2,990 tokens, 6 KB: a document of 1.1 MB, within the 3,000-token limit
LARGE_LIST = " ".join(["1"] * 2_980)


def _large_documents_alive() -> int:
    gc.collect()
    return sum(
        1
        for o in gc.get_objects()
        if isinstance(o, DocumentNode) and o.loc is not None and o.loc.end > 5_000
    )


def test_documents_are_kept_within_their_tokens() -> None:
    documents = ParsedDocuments(tokens_max=800)
    forgotten: list[DocumentNode] = []
    documents.on_forget(forgotten.append)
    texts = [
        f"{{ a{i} {{ b c d e f g h i j k l m n o p q r s t u v w x y z }} }}" for i in range(40)
    ]
    parsed = [documents.parse(t) for t in texts]
    assert documents.parse(texts[-1]) is parsed[-1]  # kept: the same document
    assert 0 < documents.tokens <= 800
    assert documents.tokens == sum(token_count(d) for d in parsed if documents.holds(d))
    assert not documents.holds(parsed[0]) and documents.holds(parsed[-1])
    assert forgotten and all(not documents.holds(d) for d in forgotten)
    assert documents.holds_node(parsed[-1].definitions[0])
    # one document over an eighth of the budget is parsed, and not kept
    large = documents.parse("{ a(ids: [" + " ".join(["1"] * 200) + "]) }")
    assert not documents.holds(large)


async def test_large_documents_sent_by_a_member_are_not_all_kept(
    api: Api, runtime: Runtime
) -> None:
    """A member sends 120 distinct texts of ~3,000 tokens (within the limit; 1.1 MB each
    parsed): some validate (a variable's default), most do not (an unknown field). Kept by
    count, a worker held them all; within the budget it holds at most TOKENS_MAX tokens of
    them, and the validation, plan and known-operation caches hold none the budget let go."""
    token = token_for(runtime, await make_user())
    before = _large_documents_alive()
    for i in range(120):
        if i % 3 == 0:
            text = f"query Q{i}($d: [Int!] = [{LARGE_LIST}]) {{ viewer {{ id }} }}"
        else:
            text = f"{{ field{i}(ids: [{LARGE_LIST}]) }}"
        answer = await api.execute(text, token=token)
        assert answer.get("errors") is None or error_codes(answer) == [
            "GRAPHQL_VALIDATION_FAILED"
        ], answer
    assert DOCUMENTS.tokens <= TOKENS_MAX
    held = _large_documents_alive() - before
    assert held <= TOKENS_MAX // 2_900 + 2, held  # (120 without the budget)
    for store in (guards._validated, guards._breadth_checked):
        assert all(DOCUMENTS.holds(owners[0]) for owners, _ in store.values())
    assert all(DOCUMENTS.holds_node(op) for op, _, _ in plans._plans.values())
