// Automatic persisted queries with Apollo's PersistedQueryLink: the hash alone, the text once
// on a miss; over GET for queries (useGETForHashedQueries), cacheable when public.
import assert from "node:assert/strict";
import { test } from "node:test";

import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { print } from "graphql";

import { FeedDocument, MarkNotificationsReadDocument, PostDetailDocument } from "../gql/graphql.js";
import { httpClient } from "../support/apollo.js";
import { fixture, graphqlUrl } from "../support/fixture.js";
import { type Exchange, bearer, recordingFetch, sha256 } from "../support/http.js";

const f = fixture<{ token: string; postId: string }>();

function persisted(get = false) {
  const recorder = recordingFetch();
  const link = new PersistedQueryLink({ sha256, useGETForHashedQueries: get });
  return { recorder, link };
}

const hashOnly = (e: Exchange | undefined): boolean =>
  e !== undefined && e.sent.query === undefined && typeof e.sent.extensions === "object";

test("over POST a persisted query misses once, then its hash alone runs it", async () => {
  const first = persisted();
  const client = httpClient(graphqlUrl(f), { fetch: first.recorder.fetch, links: [first.link] });
  const miss = await client.query({ query: PostDetailDocument, variables: { id: f.postId, first: 5 } });
  assert.equal(miss.data?.post?.id, f.postId);
  const [hashed, withText] = first.recorder.exchanges;
  assert.equal(first.recorder.exchanges.length, 2, "a miss, then the text");
  assert.ok(hashed && hashOnly(hashed) && hashed.method === "POST", "first the hash alone, by POST");
  assert.ok(withText && typeof withText.sent.query === "string" && withText.status === 200);

  const again = persisted();
  const next = httpClient(graphqlUrl(f), { fetch: again.recorder.fetch, links: [again.link] });
  const hit = await next.query({ query: PostDetailDocument, variables: { id: f.postId, first: 5 } });
  assert.equal(hit.data?.post?.id, f.postId);
  assert.equal(again.recorder.exchanges.length, 1, "a hit: one request");
  assert.ok(hashOnly(again.recorder.exchanges[0]));
});

test("over GET a hashed query misses, registers by POST, then hits with cache headers", async () => {
  const variables = { kind: "LATEST" as const, first: 3 };
  const first = persisted(true);
  const client = httpClient(graphqlUrl(f), { fetch: first.recorder.fetch, links: [first.link] });
  const miss = await client.query({ query: FeedDocument, variables });
  assert.ok(miss.data?.feed.edges.length, "the feed came back empty");
  const [hashed, withText] = first.recorder.exchanges;
  assert.ok(hashed && hashed.method === "GET" && hashOnly(hashed), "first the hash alone, by GET");
  assert.doesNotMatch(hashed.headers.get("cache-control") ?? "", /public/, "a miss is not cacheable");
  assert.ok(withText && withText.method === "POST" && withText.status === 200);

  const anonymous = persisted(true);
  const reader = httpClient(graphqlUrl(f), { fetch: anonymous.recorder.fetch, links: [anonymous.link] });
  const hit = await reader.query({ query: FeedDocument, variables });
  assert.deepEqual(hit.data, miss.data);
  const [get] = anonymous.recorder.exchanges;
  assert.equal(anonymous.recorder.exchanges.length, 1, "a hit: one request");
  assert.ok(get && get.method === "GET" && get.status === 200);
  const publicly = get.headers.get("cache-control") ?? "";
  assert.match(publicly, /\bpublic\b/);
  assert.match(publicly, /\bmax-age=\d+/);

  const member = persisted(true);
  const signedIn = httpClient(graphqlUrl(f), {
    token: f.token,
    fetch: member.recorder.fetch,
    links: [member.link],
  });
  await signedIn.query({ query: FeedDocument, variables });
  const [own] = member.recorder.exchanges;
  assert.ok(own && own.method === "GET" && own.status === 200);
  const privately = own.headers.get("cache-control") ?? "";
  assert.match(privately, /\bprivate\b/);
  assert.match(privately, /\bno-store\b/);
});

test("a mutation's hash is never run over GET", async () => {
  const text = print(MarkNotificationsReadDocument);
  const extensions = { persistedQuery: { version: 1, sha256Hash: sha256(text) } };
  const variables = { all: true };
  const registered = await fetch(graphqlUrl(f), {
    method: "POST",
    headers: { "content-type": "application/json", ...bearer(f.token) },
    body: JSON.stringify({ query: text, variables, extensions }),
  });
  assert.equal(registered.status, 200);
  const url = new URL(graphqlUrl(f));
  url.searchParams.set("operationName", "MarkNotificationsRead");
  url.searchParams.set("variables", JSON.stringify(variables));
  url.searchParams.set("extensions", JSON.stringify(extensions));
  const refused = await fetch(url, { headers: { accept: "application/json", ...bearer(f.token) } });
  const body = await refused.text();
  assert.ok(refused.status >= 400, `not refused: HTTP ${refused.status} ${body.slice(0, 200)}`);
  assert.doesNotMatch(body, /"markNotificationsRead"\s*:\s*\{/, "the mutation ran");
});
