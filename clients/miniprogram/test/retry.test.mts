// A request that got no answer is sent once more when that is safe: a query, or a mutation
// carrying an idempotency key (redeemItem: the server answers the first redemption again);
// never a mutation without one (a like).
import assert from "node:assert/strict";
import { test } from "node:test";

import { createClient, QuanziError } from "@quanzi/miniprogram";
import { FeedDocument, LikePostDocument, RedeemItemDocument } from "@quanzi/miniprogram/operations";

import { createShim, fixture, type StoredSession } from "./support/wx.mjs";

const f = fixture<{ session: StoredSession; postId: string; itemId: string; points: number; price: number }>();

test("a query is retried once when the network drops it; a like is not", async () => {
  const shim = createShim();
  shim.storage.set("quanzi.session", f.session);
  // the text every time: each request is one exchange, so a lost answer is a like that happened
  const client = createClient({ url: f.url, platform: shim.wx, retryDelay: 10, persisted: "off" });
  shim.failNext = 1;
  const feed = await client.request(FeedDocument, { kind: "LATEST", first: 1 });
  assert.equal(feed.feed.edges.length, 1);
  assert.deepEqual(
    shim.sent.map((s) => s.code ?? null),
    ["NETWORK_DOWN", null],
  );
  shim.loseNext = 1;
  const error = await client.request(LikePostDocument, { postId: f.postId }).catch((e: unknown) => e);
  assert.ok(error instanceof QuanziError && error.code === "NETWORK_ERROR" && !!error.requestId, String(error));
  assert.equal(shim.sent.filter((s) => s.operationName === "LikePost").length, 1, "the like was not sent again");
  shim.failNext = 2;
  await assert.rejects(client.request(FeedDocument, { kind: "LATEST", first: 1 }), (e: unknown) => e instanceof QuanziError && e.code === "NETWORK_ERROR");
  client.dispose();
});

test("a redemption whose answer was lost is sent again with its key and happens once", async () => {
  const shim = createShim();
  shim.storage.set("quanzi.session", f.session);
  const client = createClient({ url: f.url, platform: shim.wx, retryDelay: 10, persisted: "off" });
  shim.loseNext = 1;
  const redeemed = await client.request(RedeemItemDocument, { itemId: f.itemId, quantity: 1, idempotencyKey: "sdk-retry-1" });
  assert.deepEqual(
    shim.sent.map((s) => [s.operationName, s.code ?? null]),
    [
      ["RedeemItem", "ANSWER_LOST"],
      ["RedeemItem", null],
    ],
  );
  assert.equal(redeemed.redeemItem.viewer.points, f.points - f.price, "paid once");
  client.dispose();
});
