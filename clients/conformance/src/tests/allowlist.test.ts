// Production's allow-list mode, fed the manifests a client build generates: Apollo's
// persisted-query manifest (run by id, as @apollo/persisted-query-lists sends it) and
// graphql-codegen's persisted-documents.json; free text refused.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";
import {
  type PersistedQueryManifestForVerification,
  generatePersistedQueryIdsFromManifest,
} from "@apollo/persisted-query-lists";
import { print } from "graphql";

import { FeedDocument, LikePostDocument, PostDetailDocument } from "../gql/graphql.js";
import { httpClient } from "../support/apollo.js";
import { fixture, graphqlUrl } from "../support/fixture.js";
import { bearer, codes, post, recordingFetch, sha256 } from "../support/http.js";

const f = fixture<{ token: string; postId: string; authorId: string; wholeFile: string }>();
const manifest = JSON.parse(
  readFileSync("persisted-query-manifest.json", "utf-8"),
) as PersistedQueryManifestForVerification;

function manifestClient(token?: string) {
  const recorder = recordingFetch();
  const link = new PersistedQueryLink(generatePersistedQueryIdsFromManifest({ loadManifest: () => manifest }));
  return { recorder, client: httpClient(graphqlUrl(f), { token, fetch: recorder.fetch, links: [link] }) };
}

test("an Apollo build's manifest operations run by id alone and normalise in the cache", async () => {
  const { recorder, client } = manifestClient(f.token);
  const feed = await client.query({ query: FeedDocument, variables: { kind: "LATEST", first: 3 } });
  const [sent] = recorder.exchanges;
  assert.equal(recorder.exchanges.length, 1);
  assert.equal(sent?.sent.query, undefined, "the text was sent");
  const id = manifest.operations.find((o) => o.name === "Feed")?.id;
  // Apollo 4 also names itself (extensions.clientLibrary); the server ignores what it does not know.
  const extensions = sent?.sent.extensions as { persistedQuery?: unknown } | undefined;
  assert.deepEqual(extensions?.persistedQuery, { version: 1, sha256Hash: id });
  const first = feed.data?.feed.edges[0]?.node;
  assert.ok(first?.author.nickname, `fragments came back empty: ${JSON.stringify(feed.data)}`);
  const cached = client.cache.extract() as Record<string, unknown>;
  assert.ok(cached[`Post:${first.id}`], "the post is not normalised");
  assert.ok(cached[`User:${f.authorId}`], "the author is not normalised");

  const detail = await client.query({ query: PostDetailDocument, variables: { id: f.postId, first: 5 } });
  assert.equal(detail.data?.post?.id, f.postId);
  const liked = await client.mutate({ mutation: LikePostDocument, variables: { postId: f.postId } });
  assert.equal(liked.data?.likePost.post.viewerHasLiked, true);
});

test("graphql-codegen's persisted documents run by their hash", async () => {
  const meta = (FeedDocument as unknown as { __meta__?: { hash?: string } }).__meta__;
  assert.ok(meta?.hash, "codegen embedded no hash");
  const hash = meta.hash.replace(/^sha256:/, "");
  const answer = await post(graphqlUrl(f), {
    operationName: "Feed",
    variables: { kind: "LATEST", first: 2 },
    extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
  });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  const feed = answer.body.data?.feed as { edges: unknown[] } | undefined;
  assert.equal(feed?.edges.length, 2);
});

test("a wx.request client's whole .graphql file still runs by its hash and operation name", async () => {
  const answer = await post(
    graphqlUrl(f),
    {
      operationName: "Feed",
      variables: { kind: "LATEST", first: 2 },
      extensions: { persistedQuery: { version: 1, sha256Hash: sha256(f.wholeFile) } },
    },
    bearer(f.token),
  );
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal((answer.body.data?.feed as { edges: unknown[] }).edges.length, 2);
});

test("free text and unknown hashes are refused", async () => {
  const text = await post(graphqlUrl(f), { query: print(FeedDocument), variables: { kind: "LATEST" } });
  assert.equal(text.status, 400);
  assert.deepEqual(codes(text), ["PERSISTED_QUERY_NOT_SUPPORTED"]);
  const unknown = await post(graphqlUrl(f), {
    extensions: { persistedQuery: { version: 1, sha256Hash: sha256("query Nope { __typename }") } },
  });
  assert.deepEqual(codes(unknown), ["PERSISTED_QUERY_NOT_FOUND"]);
});
