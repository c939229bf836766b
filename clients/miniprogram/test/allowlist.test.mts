// Allow-list mode (production): the server runs only the documents of the package's
// persisted-documents.json; the SDK sends their ids and never the text, sign-in included.
import assert from "node:assert/strict";
import { test } from "node:test";

import { createClient } from "@quanzi/miniprogram";
import { FeedDocument, ViewerDocument } from "@quanzi/miniprogram/operations";

import { createShim, fixture } from "./support/wx.mjs";

const f = fixture<{ code: string; postIds: string[] }>();

test("sign-in and a Feed page run by id alone", async () => {
  const shim = createShim({ codes: [f.code] });
  const client = createClient({ url: f.url, platform: shim.wx, persisted: "allowlist" });
  const { isNewUser, viewerId } = await client.login();
  assert.equal(isNewUser, true);
  const { viewer } = await client.request(ViewerDocument);
  assert.equal(viewer?.id, viewerId);
  const { feed } = await client.request(FeedDocument, { kind: "LATEST", first: 5 });
  assert.deepEqual(
    feed.edges.map((e) => e.node.id),
    f.postIds,
  );
  assert.ok(shim.sent.length === 3 && shim.sent.every((s) => s.hashOnly && !s.withText && s.status === 200), JSON.stringify(shim.sent));
  client.dispose();
});
