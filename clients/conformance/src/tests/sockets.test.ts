// The socket's refusals as graphql-ws sees them: a close code and a reason an app can branch
// on, 4401 (sign in again: graphql-ws gives up at once) or 4403 (banned).
import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
import { test } from "node:test";

import { type Client, type ClientOptions, createClient } from "graphql-ws";

import { fixture, socketUrl } from "../support/fixture.js";
import { countedWebSocket, delay } from "../support/sockets.js";

const f = fixture<{
  expired: string;
  forged: string;
  revoked: string;
  banned: string;
}>();

interface Refusal {
  code: number;
  reason: string;
  /** ms from subscribing to the client's giving up */
  ms: number;
  opened: number;
}

/** Subscribe once with these options; answers the close that made the client give up. */
async function refusal(options: Partial<ClientOptions>): Promise<Refusal> {
  const socket = countedWebSocket();
  const closes: string[] = [];
  const client: Client = createClient({
    url: socketUrl(f),
    webSocketImpl: socket.impl,
    on: { closed: (event) => void closes.push(describe(event)) },
    // graphql-ws's own retry policy (five attempts, which close codes are fatal), only
    // without its back-off of seconds: a client that retries shows it within the test
    retryWait: () => delay(50),
    ...options,
  });
  const started = performance.now();
  const gaveUp = new Promise<{ code: number; reason: string }>((resolve, reject) => {
    client.subscribe(
      { query: "subscription { notificationAdded { id } }" },
      {
        next: () => reject(new Error("a notification without signing in")),
        error: (error) => {
          if (isClose(error)) resolve(error);
          else reject(new Error(`not a close: ${describe(error)}`));
        },
        complete: () => reject(new Error("the subscription completed")),
      },
    );
  });
  try {
    const closed = await Promise.race([gaveUp, delay(3000).then(() => undefined)]);
    if (closed === undefined) {
      assert.fail(`graphql-ws was still retrying after 3 s; closes seen: ${closes.join(", ")}`);
    }
    const opened = socket.stats.opened;
    return { code: closed.code, reason: closed.reason, ms: performance.now() - started, opened };
  } finally {
    client.terminate(); // at once, even while it waits to retry
  }
}

const isClose = (value: unknown): value is { code: number; reason: string } =>
  typeof value === "object" && value !== null && "code" in value && "reason" in value;

const describe = (value: unknown): string =>
  isClose(value) ? `${value.code} ${value.reason}` : value instanceof Error ? value.message : String(value);

const bearer = (token: string) => ({ connectionParams: { Authorization: `Bearer ${token}` } });

test("without a token the socket closes 4401 token_missing once, and graphql-ws does not retry", async () => {
  const closed = await refusal({});
  assert.deepEqual([closed.code, closed.reason], [4401, "token_missing"]);
  assert.equal(closed.opened, 1, "the client opened the socket again");
  assert.ok(closed.ms < 1000, `the client learnt it after ${Math.round(closed.ms)} ms`);
});

test("an expired token closes 4401 token_expired", async () => {
  const closed = await refusal(bearer(f.expired));
  assert.deepEqual([closed.code, closed.reason, closed.opened], [4401, "token_expired", 1]);
});

test("a token this server did not sign closes 4401 token_invalid", async () => {
  const closed = await refusal(bearer(f.forged));
  assert.deepEqual([closed.code, closed.reason, closed.opened], [4401, "token_invalid", 1]);
});

test("a token of a revoked sign-in closes 4401 session_revoked", async () => {
  const closed = await refusal(bearer(f.revoked));
  assert.deepEqual([closed.code, closed.reason, closed.opened], [4401, "session_revoked", 1]);
});

test("a banned member's socket closes 4403 account_banned", async () => {
  const closed = await refusal({ ...bearer(f.banned), retryAttempts: 0 });
  assert.deepEqual([closed.code, closed.reason], [4403, "account_banned"]);
});
