// Sign-in as the mini-program does it: wx.login()'s code through `wechatLogin`, then the
// refresh token rotated through `refreshToken`.
import assert from "node:assert/strict";
import { test } from "node:test";

import { RefreshTokenDocument, ViewerDocument, WechatLoginDocument } from "../gql/graphql.js";
import { httpClient } from "../support/apollo.js";
import { fixture, graphqlUrl } from "../support/fixture.js";

const f = fixture<{ code: string }>();

test("a WeChat code signs a new member in, and the refresh token rotates", async () => {
  const anonymous = httpClient(graphqlUrl(f));
  const signedIn = await anonymous.mutate({ mutation: WechatLoginDocument, variables: { code: f.code } });
  const session = signedIn.data?.wechatLogin;
  assert.ok(session, "wechatLogin answered no session");
  assert.equal(session.isNewUser, true);
  assert.ok(session.token && session.refreshToken);

  const member = httpClient(graphqlUrl(f), { token: session.token });
  const viewer = await member.query({ query: ViewerDocument });
  assert.equal(viewer.data?.viewer?.id, session.viewer.id);

  const refreshed = await anonymous.mutate({
    mutation: RefreshTokenDocument,
    variables: { refreshToken: session.refreshToken },
  });
  const next = refreshed.data?.refreshToken;
  assert.ok(next, "refreshToken answered no session");
  assert.equal(next.viewer.id, session.viewer.id);
  assert.equal(next.isNewUser, false);
  assert.notEqual(next.refreshToken, session.refreshToken, "the refresh token was not rotated");

  const again = await httpClient(graphqlUrl(f), { token: next.token }).query({ query: ViewerDocument });
  assert.equal(again.data?.viewer?.id, session.viewer.id);
});
