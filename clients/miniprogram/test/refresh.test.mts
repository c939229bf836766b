// Token expiry mid-session: ten requests at once get one refresh between them, whether the
// server refuses the token first (401 token_expired) or the SDK sees the expiry coming; a
// sign-in whose chain was revoked signs in again with wx.login.
import assert from "node:assert/strict";
import { test } from "node:test";

import { createClient } from "@quanzi/miniprogram";
import { ViewerDocument } from "@quanzi/miniprogram/operations";

import { createShim, fixture, type Shim, type StoredSession } from "./support/wx.mjs";

const f = fixture<{
  memberId: string;
  /** its access token expired on the server, though the client still believes it */
  expired: StoredSession;
  /** a fresh pair whose expiry the client is told has passed */
  ageing: StoredSession;
  /** a sign-in the server revoked */
  revoked: StoredSession;
  code: string;
}>();

/** Requests of the operation that ran (not an automatic persisted query's first miss). */
const ran = (shim: Shim, name: string): number =>
  shim.sent.filter((s) => s.operationName === name && s.code !== "PERSISTED_QUERY_NOT_FOUND").length;

const TEN = Array.from({ length: 10 }, (_, i) => i);

test("ten parallel requests with a token the server refuses: one refresh, ten answers", async () => {
  const shim = createShim();
  shim.storage.set("quanzi.session", { ...f.expired, expiresAt: Date.now() + 3600_000 });
  const client = createClient({ url: f.url, platform: shim.wx });
  const answers = await Promise.all(TEN.map(() => client.request(ViewerDocument)));
  assert.deepEqual(
    answers.map((a) => a.viewer?.id),
    TEN.map(() => f.memberId),
  );
  assert.equal(ran(shim, "SdkRefresh"), 1, "exactly one refresh");
  assert.equal(client.refreshCount, 1);
  const refused = shim.sent.filter((s) => s.status === 401);
  assert.ok(refused.length >= 1 && refused.every((s) => s.reason === "token_expired"), JSON.stringify(refused));
  const stored = shim.storage.get("quanzi.session") as StoredSession;
  assert.notEqual(stored.token, f.expired.token);
  assert.notEqual(stored.refreshToken, f.expired.refreshToken, "the rotated refresh token is stored");
  // the rotated pair holds (a second use of the old refresh token would have revoked it)
  const again = await client.request(ViewerDocument);
  assert.equal(again.viewer?.id, f.memberId);
  client.dispose();
});

test("ten parallel requests when the token is about to expire: one refresh first, no 401", async () => {
  const shim = createShim();
  shim.storage.set("quanzi.session", { ...f.ageing, expiresAt: Date.now() + 5_000 });
  const client = createClient({ url: f.url, platform: shim.wx, refreshAhead: 60 });
  const answers = await Promise.all(TEN.map(() => client.request(ViewerDocument)));
  assert.ok(answers.every((a) => a.viewer?.id === f.memberId));
  assert.equal(ran(shim, "SdkRefresh"), 1);
  assert.equal(shim.sent.filter((s) => s.status === 401).length, 0);
  assert.equal(shim.sent[0]?.operationName, "SdkRefresh", "the refresh went first");
  client.dispose();
});

test("a revoked sign-in signs in again with wx.login, once", async () => {
  const shim = createShim({ codes: [f.code] });
  shim.storage.set("quanzi.session", f.revoked);
  const client = createClient({ url: f.url, platform: shim.wx });
  const answers = await Promise.all(TEN.slice(0, 3).map(() => client.request(ViewerDocument)));
  assert.ok(answers.every((a) => a.viewer?.id === f.memberId));
  assert.equal(ran(shim, "SdkSignIn"), 1);
  assert.equal(ran(shim, "SdkRefresh"), 0, "no refresh for a revoked chain");
  client.dispose();
});
