// Over a rate limit: a typed error with the code, retryAfter and the request's id.
import assert from "node:assert/strict";
import { test } from "node:test";

import { createClient, QuanziError } from "@quanzi/miniprogram";
import { LikePostDocument } from "@quanzi/miniprogram/operations";

import { createShim, fixture, type StoredSession } from "./support/wx.mjs";

const f = fixture<{ session: StoredSession; postIds: string[]; limit: number }>();

test("RATE_LIMITED surfaces with retryAfter and the request id", async () => {
  const shim = createShim();
  shim.storage.set("quanzi.session", f.session);
  const client = createClient({ url: f.url, platform: shim.wx });
  for (const postId of f.postIds.slice(0, f.limit)) await client.request(LikePostDocument, { postId });
  const over = f.postIds[f.limit]!;
  const error = await client.request(LikePostDocument, { postId: over }).then(
    () => assert.fail("the like over the limit went through"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof QuanziError, String(error));
  assert.equal(error.code, "RATE_LIMITED");
  assert.ok(typeof error.retryAfter === "number" && error.retryAfter > 0 && error.retryAfter <= 60, String(error.retryAfter));
  const sent = shim.sent.at(-1)!;
  assert.match(error.requestId ?? "", /^mp-/);
  assert.equal(error.requestId, sent.requestId, "the id the SDK sent, which the server logs");
  assert.ok(error.message.length > 0);
  client.dispose();
});
