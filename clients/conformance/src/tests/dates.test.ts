// Dates as an app in Asia/Shanghai (this process runs with TZ=Asia/Shanghai) sends and reads
// them: RFC 3339 instants in UTC with milliseconds out, offsets honoured, a date picker's
// local time read in the community's zone, and scalars that name their specification.
import assert from "node:assert/strict";
import { test } from "node:test";

import { print } from "graphql";

import {
  CommunityMetricsDocument,
  CreateEventDocument,
  FeedDocument,
  ScalarSpecificationsDocument,
} from "../gql/graphql.js";
import { httpClient } from "../support/apollo.js";
import { fixture, graphqlUrl } from "../support/fixture.js";
import { bearer, codes, post } from "../support/http.js";

const f = fixture<{ operatorToken: string }>();
const operator = httpClient(graphqlUrl(f), { token: f.operatorToken });
const JS_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** YYYY-MM-DD of the local (Shanghai) day `days` from today. */
function localDay(days: number): string {
  const d = new Date();
  d.setDate(d.getDate() + days);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

async function createEvent(startsAt: string, endsAt: string) {
  const created = await operator.mutate({
    mutation: CreateEventDocument,
    variables: { input: { title: "读书会", kind: "OFFLINE", startsAt, endsAt } },
  });
  assert.ok(created.data, "createEvent answered nothing");
  return created.data.createEvent.event;
}

test("this process runs in Asia/Shanghai", () => {
  assert.equal(new Date(Date.UTC(2026, 11, 1, 12)).getHours(), 20);
});

test("an instant with an offset comes back as the same instant, in UTC with milliseconds", async () => {
  const day = localDay(10);
  const event = await createEvent(`${day}T20:00:00+08:00`, `${day}T22:30:00.000+08:00`);
  assert.equal(event.startsAt, new Date(`${day}T20:00:00+08:00`).toISOString());
  assert.equal(event.endsAt, new Date(`${day}T22:30:00+08:00`).toISOString());
  assert.match(event.startsAt, /T12:00:00\.000Z$/);
});

test("a JavaScript Date's toISOString() round-trips exactly", async () => {
  const [y, m, d] = localDay(11).split("-").map(Number) as [number, number, number];
  const starts = new Date(y, m - 1, d, 19, 45, 30, 250);
  const ends = new Date(y, m - 1, d, 21, 0);
  const event = await createEvent(starts.toISOString(), ends.toISOString());
  assert.equal(event.startsAt, starts.toISOString());
  assert.equal(event.endsAt, ends.toISOString());
});

test("a date picker's local time without an offset is read in Asia/Shanghai", async () => {
  const day = localDay(12);
  const event = await createEvent(`${day}T09:30`, `${day}T11:30:00`);
  assert.equal(event.startsAt, new Date(`${day}T09:30:00+08:00`).toISOString());
  assert.equal(event.endsAt, new Date(`${day}T11:30:00+08:00`).toISOString());
});

test("instants the server writes come out with three fractional digits and Z", async () => {
  const feed = await operator.query({ query: FeedDocument, variables: { kind: "LATEST", first: 5 } });
  const createdAt = (feed.data?.feed.edges ?? []).map((e) => e.node.createdAt);
  assert.ok(createdAt.length > 0, "no posts to read");
  for (const at of createdAt) assert.match(at, JS_INSTANT);
});

test("a malformed DateTime or Date is bad input, told without parser internals", async () => {
  const internals = /invalid literal|int\(\)|isoformat|isoparse|dateutil|must be in \d|Traceback/;
  const badInstant = await post(
    graphqlUrl(f),
    {
      query: print(CreateEventDocument),
      variables: { input: { title: "坏日期", kind: "OFFLINE", startsAt: "2026-02-30T25:61", endsAt: "明天" } },
    },
    bearer(f.operatorToken),
  );
  const badDay = await post(
    graphqlUrl(f),
    { query: print(CommunityMetricsDocument), variables: { from: "2026-13-45", to: "2026-1-5" } },
    bearer(f.operatorToken),
  );
  for (const answer of [badInstant, badDay]) {
    assert.deepEqual([...new Set(codes(answer))], ["BAD_USER_INPUT"], JSON.stringify(answer.body));
    for (const error of answer.body.errors ?? []) assert.doesNotMatch(error.message, internals);
  }
});

test("a Date goes in and comes out as YYYY-MM-DD", async () => {
  const from = localDay(-2);
  const to = localDay(0);
  const metrics = await operator.query({ query: CommunityMetricsDocument, variables: { from, to } });
  assert.deepEqual(
    metrics.data?.communityMetrics.days.map((d) => d.date),
    [from, localDay(-1), to],
  );
});

test("DateTime and Date name their specification (@specifiedBy)", async () => {
  const scalars = await operator.query({ query: ScalarSpecificationsDocument });
  assert.ok(scalars.data?.dateTime?.specifiedByURL, "DateTime has no @specifiedBy");
  assert.ok(scalars.data?.date?.specifiedByURL, "Date has no @specifiedBy");
});
