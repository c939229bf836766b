// A like updates the Feed's card the page holds, through likePost's payload and the cache.
import assert from "node:assert/strict";
import { test } from "node:test";

import { createClient } from "@quanzi/miniprogram";
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
