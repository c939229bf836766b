// An image uploaded over wx.uploadFile with the member's token, used in a post.
import assert from "node:assert/strict";
import { test } from "node:test";

import { createClient } from "@quanzi/miniprogram";
import { CreatePostDocument } from "@quanzi/miniprogram/operations";

import { createShim, fixture, type StoredSession } from "./support/wx.mjs";

const f = fixture<{
  session: StoredSession;
  /** its access token expired on the server, though the client still believes it */
  expired: StoredSession;
  image: string;
  mediaBase: string;
  width: number;
  height: number;
}>();

test("uploadImage answers {url, width, height} ready for createPost", async () => {
  const shim = createShim();
  shim.storage.set("quanzi.session", f.session);
  const client = createClient({ url: f.url, platform: shim.wx });
  const image = await client.uploadImage(f.image);
  assert.ok(image.url.startsWith(`${f.mediaBase}/`), image.url);
  assert.deepEqual([image.width, image.height], [f.width, f.height]);
  const created = await client.request(CreatePostDocument, { input: { body: "带图的帖子", imageUrls: [image.url] } });
  assert.deepEqual(
    created.createPost.post.images.map(({ url, width, height }) => ({ url, width, height })),
    [image],
  );
  client.dispose();
});

test("an upload refused for an expired token is refreshed once and sent again", async () => {
  const shim = createShim();
  shim.storage.set("quanzi.session", { ...f.expired, expiresAt: Date.now() + 3600_000 });
  const client = createClient({ url: f.url, platform: shim.wx });
  const image = await client.uploadImage(f.image);
  assert.deepEqual([image.width, image.height], [f.width, f.height]);
  assert.equal(shim.uploads, 2, "the refused upload, then the one with the fresh token");
  assert.equal(client.refreshCount, 1);
  client.dispose();
});
