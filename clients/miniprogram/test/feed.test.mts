// A Feed page and the next, typed end to end, over automatic persisted queries: the hash
// alone first, the text once on PERSISTED_QUERY_NOT_FOUND, the hash alone afterwards.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";

import { createClient, sha256 } from "@quanzi/miniprogram";
import { FeedDocument, type FeedQuery } from "@quanzi/miniprogram/operations";

import { createShim, fixture } from "./support/wx.mjs";

const f = fixture<{ newest: string[] }>();

test("a Feed page and the next, with the hash sent alone once the server knows it", async () => {
  const shim = createShim();
  const client = createClient({ url: f.url, platform: shim.wx });
  const first: FeedQuery = await client.request(FeedDocument, { kind: "LATEST", first: 3 });
  const page1 = first.feed.edges.map((e) => e.node.id);
  assert.deepEqual(page1, f.newest.slice(0, 3));
  assert.ok(first.feed.pageInfo.hasNextPage);

  const next = await client.request(FeedDocument, { kind: "LATEST", first: 3, after: first.feed.pageInfo.endCursor });
  assert.deepEqual(
    next.feed.edges.map((e) => e.node.id),
    f.newest.slice(3, 6),
  );
  assert.deepEqual(
    shim.sent.map((s) => [s.operationName, s.hashOnly, s.withText, s.code ?? null]),
    [
      ["Feed", true, false, "PERSISTED_QUERY_NOT_FOUND"],
      ["Feed", false, true, null],
      ["Feed", true, false, null],
    ],
  );
  client.dispose();
});

test("the SDK's sha256 is the document's registered hash", () => {
  const text = FeedDocument.toString();
  const registered = String(FeedDocument.__meta__?.hash).replace("sha256:", "");
  assert.equal(sha256(text), registered);
  assert.equal(sha256(text), createHash("sha256").update(text).digest("hex"));
  const chinese = "圈子 😀 é";
  assert.equal(sha256(chinese), createHash("sha256").update(chinese).digest("hex"));
});
