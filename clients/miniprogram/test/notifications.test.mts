// Live notifications over graphql-ws on wx.connectSocket: delivered after another member
// comments, again after the network drops the socket, and again after the app was hidden
// and shown; a socket whose token expired (4401) comes back with a fresh one (first: the
// token lives a few seconds); a banned member's socket (4403) is not retried.
import assert from "node:assert/strict";
import { test } from "node:test";

import { createClient, type QuanziError } from "@quanzi/miniprogram";
import { AddCommentDocument, NotificationAddedDocument, type NotificationAddedSubscription } from "@quanzi/miniprogram/operations";

import { createShim, delay, fixture, type StoredSession, until } from "./support/wx.mjs";

const f = fixture<{
  author: StoredSession;
  commenter: StoredSession;
  banned: StoredSession;
  /** the author's, with an access token that expires in a few seconds */
  shortLived: StoredSession;
  postId: string;
}>();

test("when the socket's token expires (4401) the SDK refreshes and listens again", async () => {
  const shim = createShim();
  shim.storage.set("quanzi.session", f.shortLived);
  // refreshAhead below zero: the SDK keeps the token past its end, so the server refuses it
  // (at connection_init, or by closing the open socket when it expires, whichever comes first)
  const client = createClient({ url: f.url, platform: shim.wx, refreshAhead: -60, reconnect: { baseDelay: 100 } });
  const commenterShim = createShim();
  commenterShim.storage.set("quanzi.session", f.commenter);
  const commenter = createClient({ url: f.url, platform: commenterShim.wx });
  const heard: NotificationAddedSubscription[] = [];
  const errors: QuanziError[] = [];
  client.subscribe(NotificationAddedDocument, {}, { next: (n) => heard.push(n), error: (e) => errors.push(e) });
  await until("closed for the expired token", () => client.socketStats.closes.includes(4401), 15000);
  await until("refreshed", () => client.refreshCount === 1);
  const closed = client.socketStats.closes.length;
  await until("connected with the fresh token", () => client.socketStats.connected >= 1 && shim.sockets.at(-1)?.readyState === 1);
  const stored = shim.storage.get("quanzi.session") as StoredSession;
  assert.notEqual(stored.token, f.shortLived.token);
  await delay(300);
  await commenter.request(AddCommentDocument, { postId: f.postId, body: "换了令牌之后的评论" });
  await until("the notification after the refresh", () => heard.length === 1);
  assert.deepEqual(errors, []);
  assert.equal(client.socketStats.closes.length, closed, "the fresh token holds");
  assert.equal(client.refreshCount, 1);
  client.dispose();
  commenter.dispose();
});

test("a notification arrives after a comment, after a dropped socket and after hide/show", async () => {
  const authorShim = createShim();
  authorShim.storage.set("quanzi.session", f.author);
  const author = createClient({ url: f.url, platform: authorShim.wx, reconnect: { baseDelay: 100 } });
  const commenterShim = createShim();
  commenterShim.storage.set("quanzi.session", f.commenter);
  const commenter = createClient({ url: f.url, platform: commenterShim.wx });

  const heard: NotificationAddedSubscription[] = [];
  const errors: QuanziError[] = [];
  const stop = author.subscribe(NotificationAddedDocument, {}, { next: (n) => heard.push(n), error: (e) => errors.push(e) });

  async function commentAndHear(body: string): Promise<void> {
    const before = heard.length;
    await delay(300); // the subscription is listening
    await commenter.request(AddCommentDocument, { postId: f.postId, body });
    await until(`the notification for "${body}"`, () => heard.length > before, 5000);
    const last = heard.at(-1)!.notificationAdded;
    assert.equal(last.kind, "COMMENT");
    assert.equal(last.actor?.id, f.commenter.viewerId);
    assert.equal(last.post?.id, f.postId);
  }

  await until("connected", () => author.socketStats.connected === 1);
  await commentAndHear("第一条评论");

  authorShim.dropSockets();
  await until("reconnected after the drop", () => author.socketStats.connected === 2, 10000);
  await commentAndHear("断线后的评论");

  authorShim.hide();
  await until("closed while hidden", () => authorShim.sockets.every((s) => s.readyState === s.CLOSED));
  const openedWhileHidden = author.socketStats.opened;
  authorShim.show();
  await until("open again once shown", () => author.socketStats.connected === 3);
  assert.equal(author.socketStats.opened, openedWhileHidden + 1);
  await commentAndHear("回到前台后的评论");

  assert.deepEqual(errors, []);
  assert.equal(heard.length, 3);
  stop();
  author.dispose();
  commenter.dispose();
});

test("a banned member's socket closes with 4403 and is not retried (Taro's promised socket task)", async () => {
  const shim = createShim({ taro: true });
  shim.storage.set("quanzi.session", f.banned);
  const client = createClient({ url: f.url, platform: shim.wx, reconnect: { baseDelay: 50 } });
  const errors: QuanziError[] = [];
  client.subscribe(NotificationAddedDocument, {}, { next: () => undefined, error: (e) => errors.push(e) });
  await until("the ban reported", () => errors.length === 1);
  assert.equal(errors[0]?.code, "FORBIDDEN");
  assert.equal(errors[0]?.reason, "account_banned");
  await delay(1000);
  assert.equal(client.socketStats.opened, 1, "no retry storm");
  assert.deepEqual(client.socketStats.closes, [4403]);
  client.dispose();
});
