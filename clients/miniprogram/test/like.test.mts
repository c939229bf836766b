// A like updates the Feed's card the page holds, through likePost's payload and the cache;
// a query that got no answer is sent once more, a like (no idempotency key) never.
import assert from "node:assert/strict";
import { test } from "node:test";

import { createClient, QuanziError } from "@quanzi/miniprogram";
import { FeedDocument, LikePostDocument, UnlikePostDocument } from "@quanzi/miniprogram/operations";

import { createShim, fixture, type StoredSession } from "./support/wx.mjs";

const f = fixture<{ session: StoredSession; postId: string }>();

test("liking patches the card of the Feed already on the page", async () => {
  const shim = createShim();
  shim.storage.set("quanzi.session", f.session);
  const client = createClient({ url: f.url, platform: shim.wx });
  const feed = await client.request(FeedDocument, { kind: "LATEST", first: 5 });
  const card = feed.feed.edges.find((e) => e.node.id === f.postId)?.node;
  assert.ok(card, "the post is on the page");
  assert.deepEqual([card.likeCount, card.viewerHasLiked], [0, false]);
  const author = card.author;

  const told: string[][] = [];
  const unsubscribe = client.cache.subscribe((ids) => told.push(ids));
  const liked = await client.request(LikePostDocument, { postId: f.postId });
  assert.deepEqual(liked.likePost.post, { id: f.postId, likeCount: 1, viewerHasLiked: true });
  assert.deepEqual([card.likeCount, card.viewerHasLiked], [1, true], "the card on the page was patched");
  assert.equal(card.author, author, "nested objects are patched by their own ids, never replaced");
  assert.equal(client.cache.get(f.postId), liked.likePost.post);
  assert.deepEqual(told, [[f.postId]], "the page is told which ids to setData again");

  await client.request(UnlikePostDocument, { postId: f.postId });
  assert.deepEqual([card.likeCount, card.viewerHasLiked], [0, false]);
  unsubscribe();
  client.dispose();
});

test("a query is retried once when the network drops it; a mutation is not", async () => {
  const shim = createShim();
  shim.storage.set("quanzi.session", f.session);
  const client = createClient({ url: f.url, platform: shim.wx, retryDelay: 10 });
  shim.failNext = 1;
  const feed = await client.request(FeedDocument, { kind: "LATEST", first: 1 });
  assert.equal(feed.feed.edges.length, 1);
  assert.deepEqual(
    shim.sent.map((s) => s.code ?? null),
    ["NETWORK_DOWN", null], // the server knows the Feed's hash from the first test
  );
  shim.failNext = 1;
  const error = await client.request(LikePostDocument, { postId: f.postId }).catch((e: unknown) => e);
  assert.ok(error instanceof QuanziError && error.code === "NETWORK_ERROR", String(error));
  assert.equal(shim.sent.filter((s) => s.operationName === "LikePost").length, 1, "the like was not sent again");
  shim.failNext = 2;
  await assert.rejects(client.request(FeedDocument, { kind: "LATEST", first: 1 }), (e: unknown) => e instanceof QuanziError && e.code === "NETWORK_ERROR" && !!e.requestId);
  client.dispose();
});
