// The home feed as an app pages it: Apollo's InMemoryCache merging pages with
// relayStylePagination through fetchMore, pinned posts leading the first page.
import assert from "node:assert/strict";
import { test } from "node:test";

import { CombinedGraphQLErrors } from "@apollo/client";
import { filter, firstValueFrom } from "rxjs";

import { FeedDocument } from "../gql/graphql.js";
import { httpClient } from "../support/apollo.js";
import { fixture, graphqlUrl } from "../support/fixture.js";

const f = fixture<{ pinned: string[]; newest: string[]; pageMax: number }>();

test("three pages of the feed merge without duplicates and keep every pin", async () => {
  const client = httpClient(graphqlUrl(f));
  const feed = client.watchQuery({ query: FeedDocument, variables: { kind: "LATEST", first: 2 } });
  const watching = feed.subscribe(() => {});
  const first = await firstValueFrom(feed.pipe(filter((r) => r.dataState === "complete")));
  let endCursor = first.data?.feed.pageInfo.endCursor;
  for (const page of [2, 3]) {
    assert.ok(endCursor, `no endCursor before page ${page}`);
    const more = await feed.fetchMore({ variables: { after: endCursor } });
    endCursor = more.data?.feed.pageInfo.endCursor;
  }
  // What the list renders from: the normalised cache's merged field (Apollo 4 hands the
  // watcher its merged result on a later tick, so read it where the merge happened).
  const merged = client.readQuery({ query: FeedDocument, variables: { kind: "LATEST", first: 2 } });
  if (!merged) assert.fail("the cache holds no complete feed");
  const edges = merged.feed.edges;
  const ids = edges.map((e) => e.node.id);
  assert.equal(new Set(ids).size, ids.length, `a post came twice: ${ids.join(", ")}`);
  assert.deepEqual(ids, [...f.pinned, ...f.newest.slice(0, 3)], "pins first, then the newest posts");
  assert.deepEqual(
    edges.map((e) => e.node.isPinned),
    [true, true, true, false, false, false],
  );
  const cursors = edges.map((e) => e.cursor);
  assert.equal(new Set(cursors).size, cursors.length, `edges share a cursor: ${cursors.join(", ")}`);
  watching.unsubscribe();
});

test("a page larger than the cap is cut to the cap, not refused", async () => {
  const client = httpClient(graphqlUrl(f));
  try {
    const page = await client.query({
      query: FeedDocument,
      variables: { kind: "LATEST", first: f.pageMax + 1 },
    });
    assert.equal(page.data?.feed.edges.length, f.pageMax);
    assert.equal(page.data?.feed.pageInfo.hasNextPage, true);
  } catch (error) {
    if (CombinedGraphQLErrors.is(error)) {
      assert.fail(`first: ${f.pageMax + 1} was refused: ${JSON.stringify(error.errors)}`);
    }
    throw error;
  }
});
