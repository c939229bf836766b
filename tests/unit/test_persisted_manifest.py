"""`quanzi persisted-manifest` writes what Apollo's generator writes: the same bodies, so
the same ids, whichever of the two a team runs."""

from __future__ import annotations

from pathlib import Path

from quanzi.tools.persisted_manifest import build_manifest

DOCUMENTS = {
    "op.graphql": """query Feed($kind: FeedKind!, $first: Int) {
  feed(kind: $kind, first: $first) {
    edges { cursor node { ...Card } }
    pageInfo { hasNextPage endCursor }
  }
}
""",
    "frags.graphql": """fragment Chip on User { id nickname }
fragment Card on Post { id body author { ...Chip } likes: likeCount }
""",
    # Laid out differently from Apollo's input: both print the document anew.
    "mut.graphql": """mutation Like($postId: ID!) {
  likePost(postId: $postId) { post { id likeCount } }
}
""",
}
# Written by @apollo/generate-persisted-query-manifest 1.x from the three files above.
APOLLO = {
    "Feed": "ec37ce5324ca27d488cd3ec8e3088aadbfc317daf862175205ff6d724941f0f9",
    "Like": "9eeea28498907dfd3c56355afc9bbc335445a4648d7e61c64a6977d74be4856a",
}


def test_ids_and_bodies_are_apollos(tmp_path: Path) -> None:
    files = []
    for name, text in DOCUMENTS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        files.append(tmp_path / name)
    manifest = build_manifest(files)
    assert manifest["format"] == "apollo-persisted-query-manifest" and manifest["version"] == 1
    assert {o["name"]: o["id"] for o in manifest["operations"]} == APOLLO
    feed, like = manifest["operations"]
    assert (feed["type"], like["type"]) == ("query", "mutation")
    assert feed["body"].endswith("fragment Chip on User {\n  id\n  nickname\n  __typename\n}")
    assert "query Feed($kind: FeedKind!, $first: Int) {\n  feed(" in feed["body"]
