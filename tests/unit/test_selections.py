"""The selection walker reads documents as the guards, look-ahead and rate limits need:
fragments spread, aliases looked through, cycles never followed twice. No IO: documents are
parsed with graphql-core and walked."""

from __future__ import annotations

from graphql import FieldNode, OperationDefinitionNode, parse

from api.selections import fields, fragments_of, measure, node_fields, page_size, root_fields


def _operation(document: str) -> tuple[OperationDefinitionNode, dict]:
    parsed = parse(document)
    operation = next(d for d in parsed.definitions if isinstance(d, OperationDefinitionNode))
    return operation, fragments_of(parsed)


def _connection(document: str) -> tuple[list[FieldNode], dict]:
    operation, fragments = _operation(document)
    root = operation.selection_set.selections[0]
    assert isinstance(root, FieldNode)
    return [root], fragments


def test_fields_spreads_named_and_inline_fragments_in_document_order() -> None:
    operation, fragments = _operation(
        "query { a ...F ... on Query { c } d } fragment F on Query { b ... on Query { e } }"
    )
    names = [f.name.value for f in fields(operation.selection_set, fragments)]
    assert names == ["a", "b", "e", "c", "d"]


def test_fields_leaves_out_a_fragment_the_document_does_not_define() -> None:
    operation, fragments = _operation("query { a ...Missing }")
    assert [f.name.value for f in fields(operation.selection_set, fragments)] == ["a"]


def test_a_fragment_that_spreads_itself_is_entered_once() -> None:
    operation, fragments = _operation("query { ...A } fragment A on Query { a ...A }")
    assert [f.name.value for f in fields(operation.selection_set, fragments)] == ["a"]


def test_root_fields_counts_every_occurrence_under_any_alias() -> None:
    document = parse(
        "mutation { one: likePost(postId: 1) { ok } two: likePost(postId: 2) { ok } ...M } "
        "fragment M on Mutation { followUser(userId: 3) { ok } }"
    )
    assert root_fields(document, None) == ["likePost", "likePost", "followUser"]


def test_root_fields_of_the_named_operation_only() -> None:
    document = parse("query A { viewer { id } } mutation B { checkIn { streak } }")
    assert root_fields(document, "B") == ["checkIn"]
    assert root_fields(document, "Nope") == []
    assert root_fields(document, None) == []  # two operations and none named: none chosen


def test_node_fields_sees_through_fragments_aliases_and_inline_fragments() -> None:
    connection, fragments = _connection(
        """
        query {
          feed(kind: LATEST) {
            pageInfo { hasNextPage }
            edges { cursor node { ...Card ... on Post { writer: author { id } } } }
          }
        }
        fragment Card on Post { id topics { name } ...Deeper }
        fragment Deeper on Post { viewerHasLiked }
        """
    )
    assert node_fields(connection, fragments) == {"id", "topics", "author", "viewerHasLiked"}


def test_node_fields_of_a_page_that_reads_no_node_is_empty() -> None:
    connection, fragments = _connection("query { feed(kind: LATEST) { edges { cursor } } }")
    assert node_fields(connection, fragments) == frozenset()


def test_node_fields_merges_every_node_of_the_connection_field() -> None:
    operation, fragments = _operation(
        "query { feed { edges { node { id } } } feed { edges { node { title } } } }"
    )
    nodes = [s for s in operation.selection_set.selections if isinstance(s, FieldNode)]
    assert node_fields(nodes, fragments) == {"id", "title"}


def test_measure_multiplies_children_by_the_page_size() -> None:
    operation, fragments = _operation("query { feed(first: 10) { edges { node { id } } } }")
    size = measure(operation.selection_set, fragments, page_max=50)
    # feed 1 + 10 × (edges 1 + node 1 + id 1)
    assert size.cost == 31
    assert size.depth == 4
    assert size.aliases == 0


def test_measure_takes_the_page_cap_for_a_variable_or_a_literal_past_it() -> None:
    operation, fragments = _operation(
        "query($n: Int) { a: feed(first: $n) { id } b: feed(first: 500) { id } }"
    )
    size = measure(operation.selection_set, fragments, page_max=50)
    assert size.cost == (1 + 50) * 2
    assert size.aliases == 2


def test_measure_counts_a_fragment_each_time_it_is_spread() -> None:
    operation, fragments = _operation(
        "query { viewer { ...V } other: viewer { ...V } } fragment V on Viewer { n: nickname }"
    )
    size = measure(operation.selection_set, fragments, page_max=50)
    assert size.cost == 4
    assert size.aliases == 3
    assert size.depth == 2


def test_measure_leaves_introspection_alone() -> None:
    operation, fragments = _operation("query { __schema { types { name } } viewer { id } }")
    assert measure(operation.selection_set, fragments, page_max=50).cost == 2


def test_measure_stops_at_a_fragment_that_reaches_itself_through_a_field() -> None:
    operation, fragments = _operation(
        "query { viewer { ...A } } fragment A on User { id author { ...A } }"
    )
    size = measure(operation.selection_set, fragments, page_max=50)
    assert size.cost == 3  # viewer, id, author; A is not entered again under author
    assert size.depth == 2


def test_page_size_of_a_field_without_a_page_is_one() -> None:
    operation, _ = _operation("query { viewer { id } feed(last: 0) { id } }")
    viewer, feed = operation.selection_set.selections
    assert isinstance(viewer, FieldNode) and isinstance(feed, FieldNode)
    assert page_size(viewer, 50) == 1
    assert page_size(feed, 50) == 1  # at least one: a page of none still costs its field
