// What tests/api/test_conformance.py hands a test file: the server's address and the members,
// tokens and ids it seeded, as JSON in the CONFORMANCE variable.
import assert from "node:assert/strict";

export interface Fixture {
  /** http://127.0.0.1:<port>, the server under test */
  url: string;
  [key: string]: unknown;
}

export function fixture<T extends object>(): Fixture & T {
  const raw = process.env.CONFORMANCE;
  assert.ok(raw, "CONFORMANCE is not set: run the suite with `make conformance`");
  return JSON.parse(raw) as Fixture & T;
}

export const graphqlUrl = (f: Fixture): string => `${f.url}/graphql`;

export const socketUrl = (f: Fixture): string => `${f.url.replace(/^http/, "ws")}/graphql`;
