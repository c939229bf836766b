// Live notifications as apps receive them: Apollo's GraphQLWsLink over graphql-ws, and
// graphql-ws alone with the token in the upgrade request's header (wx.connectSocket).
import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
import { test } from "node:test";

import { ApolloClient } from "@apollo/client";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { print } from "graphql";
import { type Client, createClient } from "graphql-ws";

import {
  AddCommentDocument,
  type NotificationAddedSubscription,
  NotificationAddedDocument,
} from "../gql/graphql.js";
import { appCache, httpClient } from "../support/apollo.js";
import { fixture, graphqlUrl, socketUrl } from "../support/fixture.js";
import { countedWebSocket, delay, socketError, within } from "../support/sockets.js";

const f = fixture<{
  authorToken: string;
  commenterToken: string;
  commenterId: string;
  postId: string;
}>();

const connected = (client: Client): Promise<void> =>
  new Promise((resolve) => {
    const off = client.on("connected", () => {
      off();
      resolve();
    });
  });

/** Comment as the other member; answers when the comment was sent. */
async function comment(body: string): Promise<number> {
  const sentAt = performance.now();
  const commenter = httpClient(graphqlUrl(f), { token: f.commenterToken });
  const added = await commenter.mutate({ mutation: AddCommentDocument, variables: { postId: f.postId, body } });
  assert.ok(added.data?.addComment.comment.id);
  return sentAt;
}

function checkNotification(n: NotificationAddedSubscription["notificationAdded"] | undefined): void {
  assert.ok(n, "no notification");
  assert.equal(n.kind, "COMMENT");
  assert.equal(n.actor?.id, f.commenterId);
  assert.equal(n.post?.id, f.postId);
  assert.equal(n.read, false);
}

test("a comment's notification arrives over Apollo's GraphQLWsLink within a second", async () => {
  const socket = countedWebSocket();
  const ws = createClient({
    url: socketUrl(f),
    webSocketImpl: socket.impl,
    connectionParams: { Authorization: `Bearer ${f.authorToken}` },
  });
  const client = new ApolloClient({ link: new GraphQLWsLink(ws), cache: appCache() });
  const ready = connected(ws);
  let arrivedAt = 0;
  const arrived = new Promise<NotificationAddedSubscription["notificationAdded"] | undefined>((resolve, reject) => {
    client.subscribe({ query: NotificationAddedDocument }).subscribe({
      next: (result) => {
        arrivedAt = performance.now();
        if (result.error) reject(result.error);
        else resolve(result.data?.notificationAdded);
      },
      error: reject,
    });
  });
  try {
    await within(3000, "connection_ack", ready);
    await delay(500); // the subscription listens shortly after the ack
    const sentAt = await comment("实时通知来了吗");
    checkNotification(await within(3000, "notificationAdded", arrived));
    assert.ok(arrivedAt - sentAt < 1000, `arrived ${Math.round(arrivedAt - sentAt)} ms after the comment`);
    assert.equal(socket.stats.binaryFrames, 0, "the server sent binary frames");
  } finally {
    await ws.dispose();
  }
});

test("graphql-ws signs in with the upgrade request's Authorization header", async () => {
  const socket = countedWebSocket({ Authorization: `Bearer ${f.authorToken}` });
  const ws = createClient({ url: socketUrl(f), webSocketImpl: socket.impl, retryAttempts: 0 });
  const ready = connected(ws);
  let arrivedAt = 0;
  const arrived = new Promise<NotificationAddedSubscription["notificationAdded"] | undefined>((resolve, reject) => {
    ws.subscribe<NotificationAddedSubscription>(
      { query: print(NotificationAddedDocument) },
      {
        next: (result) => {
          arrivedAt = performance.now();
          if (result.errors) reject(new Error(JSON.stringify(result.errors)));
          else resolve(result.data?.notificationAdded);
        },
        error: (error) => reject(socketError(error)),
        complete: () => reject(new Error("the subscription completed")),
      },
    );
  });
  try {
    await within(3000, "connection_ack", Promise.race([ready, arrived.then(() => {})]));
    await delay(500);
    const sentAt = await comment("握手头里的令牌");
    checkNotification(await within(3000, "notificationAdded", arrived));
    assert.ok(arrivedAt - sentAt < 1000, `arrived ${Math.round(arrivedAt - sentAt)} ms after the comment`);
    assert.equal(socket.stats.binaryFrames, 0, "the server sent binary frames");
  } finally {
    await ws.dispose();
  }
});
