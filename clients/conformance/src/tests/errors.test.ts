// Client mistakes get codes of their own (Apollo's convention), apart from BAD_USER_INPUT:
// a subscription sent over plain HTTP, a document that does not parse or does not validate.
import assert from "node:assert/strict";
import { test } from "node:test";

import { CombinedGraphQLErrors, ServerError } from "@apollo/client";
import { print } from "graphql";

import { NotificationAddedDocument } from "../gql/graphql.js";
import { httpClient } from "../support/apollo.js";
import { fixture, graphqlUrl } from "../support/fixture.js";
import { type GraphQLAnswer, bearer, codes, post } from "../support/http.js";

const f = fixture<{ token: string }>();

test("a subscription over plain HTTP is answered 400 SUBSCRIPTION_NEEDS_WEBSOCKET", async () => {
  for (const headers of [{}, bearer(f.token)]) {
    const answer = await post(graphqlUrl(f), { query: print(NotificationAddedDocument) }, headers);
    assert.equal(answer.status, 400, JSON.stringify(answer.body));
    assert.deepEqual(codes(answer), ["SUBSCRIPTION_NEEDS_WEBSOCKET"]);
  }
});

test("Apollo's HttpLink alone gets the same refusal for a subscription", async () => {
  const client = httpClient(graphqlUrl(f), { token: f.token });
  const error = await new Promise<unknown>((resolve) => {
    client.subscribe({ query: NotificationAddedDocument }).subscribe({
      next: (result) => resolve(result.error ?? new Error(`a result: ${JSON.stringify(result.data)}`)),
      error: resolve,
      complete: () => resolve(new Error("completed without an answer")),
    });
  });
  // Apollo 4: a ServerError with the body's text for an application/json 4xx answer.
  let found: unknown[] = [];
  if (CombinedGraphQLErrors.is(error)) found = error.errors.map((e) => e.extensions?.code);
  else if (ServerError.is(error)) {
    const body = JSON.parse(error.bodyText) as GraphQLAnswer["body"];
    found = (body.errors ?? []).map((e) => e.extensions?.code);
  } else assert.fail(`unexpected: ${String(error)}`);
  assert.deepEqual(found, ["SUBSCRIPTION_NEEDS_WEBSOCKET"]);
});

test("a document that does not parse gets GRAPHQL_PARSE_FAILED", async () => {
  const answer = await post(graphqlUrl(f), { query: "query Feed { feed(kind: LATEST) { edges " });
  assert.deepEqual(codes(answer), ["GRAPHQL_PARSE_FAILED"]);
});

test("a document the schema does not validate gets GRAPHQL_VALIDATION_FAILED", async () => {
  const unknownField = await post(graphqlUrl(f), { query: "{ feed(kind: LATEST) { edges { node { nope } } } }" });
  assert.deepEqual([...new Set(codes(unknownField))], ["GRAPHQL_VALIDATION_FAILED"]);
  const wrongArgument = await post(graphqlUrl(f), { query: "{ feed(kind: SIDEWAYS) { pageInfo { hasNextPage } } }" });
  assert.deepEqual([...new Set(codes(wrongArgument))], ["GRAPHQL_VALIDATION_FAILED"]);
});
