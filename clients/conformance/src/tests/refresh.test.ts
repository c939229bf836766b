// A stale token at the HTTP edge: 401 with the reason before anything runs, so that an app's
// refresh link can act once; anonymous reading untouched; sign-in and refresh never blocked.
import assert from "node:assert/strict";
import { test } from "node:test";

import { CombinedGraphQLErrors, ServerError } from "@apollo/client";
import { SetContextLink } from "@apollo/client/link/context";
import { ErrorLink } from "@apollo/client/link/error";
import { print } from "graphql";
import { from, switchMap } from "rxjs";

import { FeedDocument, RefreshTokenDocument, ViewerDocument, WechatLoginDocument } from "../gql/graphql.js";
import { httpClient } from "../support/apollo.js";
import { fixture, graphqlUrl } from "../support/fixture.js";
import { type GraphQLAnswer, bearer, post, recordingFetch } from "../support/http.js";

const f = fixture<{
  expired: string;
  forged: string;
  memberId: string;
  /** two refresh tokens of the member: one per test that spends one */
  refreshTokens: [string, string];
  code: string;
}>();

const feed = { query: print(FeedDocument), variables: { kind: "LATEST", first: 2 } };

function assertRefused(answer: GraphQLAnswer, reason: string): void {
  assert.equal(answer.status, 401, JSON.stringify(answer.body));
  assert.match(answer.headers.get("www-authenticate") ?? "", /^Bearer\b.*\berror="invalid_token"/);
  const errors = (answer.body.errors ?? []).map((e) => [e.extensions?.code, e.extensions?.reason]);
  assert.deepEqual(errors, [["UNAUTHENTICATED", reason]]);
  assert.ok(!answer.body.data, "the operation ran");
}

test("an expired token is answered 401 token_expired before anything runs", async () => {
  assertRefused(await post(graphqlUrl(f), feed, bearer(f.expired)), "token_expired");
});

test("a token this server did not sign is answered 401 token_invalid", async () => {
  assertRefused(await post(graphqlUrl(f), feed, bearer(f.forged)), "token_invalid");
});

test("without a token the public feed reads anonymously", async () => {
  const answer = await post(graphqlUrl(f), feed);
  assert.equal(answer.status, 200);
  assert.equal((answer.body.data?.feed as { edges: unknown[] }).edges.length, 2);
});

test("signing in and refreshing work with a stale token still in the header", async () => {
  const refreshed = await post(
    graphqlUrl(f),
    { query: print(RefreshTokenDocument), variables: { refreshToken: f.refreshTokens[0] } },
    bearer(f.expired),
  );
  assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
  assert.equal((refreshed.body.data?.refreshToken as { viewer: { id: string } }).viewer.id, f.memberId);
  const signedIn = await post(
    graphqlUrl(f),
    { query: print(WechatLoginDocument), variables: { code: f.code } },
    bearer(f.forged),
  );
  assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
  assert.ok((signedIn.body.data?.wechatLogin as { token: string }).token);
});

test("Apollo's ErrorLink refreshes the token once on UNAUTHENTICATED and retries", async (t) => {
  let token = f.expired;
  let refreshes = 0;
  const surfaced: string[] = [];
  const anonymous = httpClient(graphqlUrl(f));
  async function refresh(): Promise<void> {
    refreshes += 1;
    const next = await anonymous.mutate({
      mutation: RefreshTokenDocument,
      variables: { refreshToken: f.refreshTokens[1] },
    });
    assert.ok(next.data, "refreshToken answered nothing");
    token = next.data.refreshToken.token;
  }
  // How Apollo Client 4 hands the 401 to an ErrorLink: a ServerError (status and body text)
  // for an application/json answer, CombinedGraphQLErrors for application/graphql-response+json.
  const unauthenticated = (error: unknown): string | undefined => {
    if (CombinedGraphQLErrors.is(error)) {
      const found = error.errors.find((e) => e.extensions?.code === "UNAUTHENTICATED");
      return found ? `CombinedGraphQLErrors (${String(found.extensions?.reason)})` : undefined;
    }
    if (ServerError.is(error) && error.statusCode === 401) {
      const body = JSON.parse(error.bodyText) as GraphQLAnswer["body"];
      const reason = body.errors?.[0]?.extensions?.reason;
      return `ServerError ${error.statusCode} (${String(reason)})`;
    }
    return undefined;
  };
  const refreshLink = new ErrorLink(({ error, operation, forward }) => {
    const seen = unauthenticated(error);
    if (!seen || operation.getContext().retried) return;
    surfaced.push(seen);
    operation.setContext({ retried: true });
    return from(refresh()).pipe(switchMap(() => forward(operation)));
  });
  const authLink = new SetContextLink((context) => ({
    headers: { ...context.headers, authorization: `Bearer ${token}` },
  }));
  const recorder = recordingFetch();
  const client = httpClient(graphqlUrl(f), { fetch: recorder.fetch, links: [refreshLink, authLink] });

  const viewer = await client.query({ query: ViewerDocument });
  assert.equal(viewer.data?.viewer?.id, f.memberId);
  assert.equal(refreshes, 1);
  assert.deepEqual(
    recorder.exchanges.map((e) => e.status),
    [401, 200],
    "the stale request, then the retry",
  );
  t.diagnostic(`Apollo surfaced the stale token as: ${surfaced.join(", ")}`);
  // Apollo 4 asks for application/graphql-response+json and gets it, so the 401's body reaches
  // the error link as GraphQL errors: the documented refresh-on-UNAUTHENTICATED recipe fires.
  assert.deepEqual(surfaced, ["CombinedGraphQLErrors (token_expired)"]);
});
