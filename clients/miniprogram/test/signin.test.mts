// Sign-in with an invite code: wx.login → wechatLogin, the token pair kept in wx storage,
// requests carrying it (and Accept-Language from the system), subscribe-message grants
// recorded, and signing out; a refused code and a timeout as typed errors.
import assert from "node:assert/strict";
import { test } from "node:test";

import { createClient, isQuanziError } from "@quanzi/miniprogram";
import { ViewerDocument } from "@quanzi/miniprogram/operations";

import { createShim, fixture } from "./support/wx.mjs";

const f = fixture<{ code: string; inviteCode: string; templates: [string, string] }>();

test("a new member signs in with an invite code and the token pair is stored", async () => {
  const shim = createShim({ codes: [f.code] });
  const sessions: unknown[] = [];
  const client = createClient({ url: f.url, platform: shim.wx, onSession: (tokens) => sessions.push(tokens) });
  assert.equal(client.signedIn, false);

  const signedIn = await client.login({ inviteCode: f.inviteCode });
  assert.equal(signedIn.isNewUser, true);
  assert.ok(client.signedIn);
  const stored = shim.storage.get("quanzi.session") as { token: string; refreshToken: string; expiresAt: number; viewerId: string };
  assert.ok(stored.token && stored.refreshToken, "the token pair is in wx storage");
  assert.ok(stored.expiresAt > Date.now(), "with its expiry");
  assert.equal(stored.viewerId, signedIn.viewerId);
  assert.equal(sessions.length, 1);

  const { viewer } = await client.request(ViewerDocument);
  assert.equal(viewer?.id, signedIn.viewerId);
  const asked = shim.sent.find((s) => s.operationName === "Viewer");
  assert.equal(asked?.authorization, `Bearer ${stored.token}`);
  assert.equal(asked?.acceptLanguage, "zh-CN");

  // a second client (the next launch) picks the session up from storage
  const relaunched = createClient({ url: f.url, platform: shim.wx });
  assert.equal(relaunched.viewerId, signedIn.viewerId);

  shim.subscribeAnswers = { [f.templates[0]]: "accept", [f.templates[1]]: "reject" };
  const granted = await client.requestSubscribeMessages(f.templates);
  assert.deepEqual(granted.accepted, [f.templates[0]]);
  assert.equal(granted.recorded, 1);

  client.signOut();
  assert.equal(client.signedIn, false);
  assert.equal(shim.storage.has("quanzi.session"), false);
  assert.equal(sessions.at(-1), null);
  const anonymous = await client.request(ViewerDocument);
  assert.equal(anonymous.viewer, null, "signed out, the viewer is nobody");
  client.dispose();
  relaunched.dispose();
});

test("a code WeChat refuses surfaces as a typed error", async () => {
  const shim = createShim({ codes: ["not-registered"] });
  const client = createClient({ url: f.url, platform: shim.wx });
  await assert.rejects(client.login(), (error: unknown) => isQuanziError(error) && error.code !== "" && !!error.requestId);
  assert.equal(client.signedIn, false);
  client.dispose();
});

test("a sign-in slower than the timeout rejects with TIMEOUT and is not sent again", async () => {
  const shim = createShim({ codes: ["slow"] }); // the WeChat stand-in answers "slow" after 3 s
  const client = createClient({ url: f.url, platform: shim.wx, timeout: 300 });
  await assert.rejects(client.login(), (error: unknown) => isQuanziError(error, "TIMEOUT"));
  const sent = shim.sent.filter((s) => s.operationName === "SdkSignIn" && s.code !== "PERSISTED_QUERY_NOT_FOUND");
  assert.equal(sent.length, 1, "a mutation without an idempotency key is not retried");
  assert.equal(client.signedIn, false);
  client.dispose();
});
