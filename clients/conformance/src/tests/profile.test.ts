// One member, one cache entry per type: after UpdateProfile, the member's author chips in a
// normalised cache show the new profile without a refetch; every object with an id is a Node.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  FeedDocument,
  ObjectIdentitiesDocument,
  UpdateProfileAndChipsDocument,
  ViewerAsUserDocument,
  ViewerDocument,
} from "../gql/graphql.js";
import { httpClient } from "../support/apollo.js";
import { fixture, graphqlUrl } from "../support/fixture.js";
import { recordingFetch } from "../support/http.js";

const f = fixture<{ token: string; memberId: string; postIds: string[] }>();
const latest = { kind: "LATEST" as const, first: 10 };

test("UpdateProfile's user refreshes the member's cached author chips without a refetch", async () => {
  const recorder = recordingFetch();
  const client = httpClient(graphqlUrl(f), { token: f.token, fetch: recorder.fetch });
  const feed = await client.query({ query: FeedDocument, variables: latest });
  const mine = (feed.data?.feed.edges ?? []).filter((e) => e.node.author.id === f.memberId);
  assert.deepEqual(mine.map((e) => e.node.id).sort(), [...f.postIds].sort());
  await client.query({ query: ViewerDocument });
  const sent = recorder.exchanges.length;

  const nickname = "改过名的成员";
  const avatarUrl = "https://img.quanzi.test/avatar-new.png";
  const updated = await client.mutate({
    mutation: UpdateProfileAndChipsDocument,
    variables: { input: { nickname, avatarUrl } },
  });
  assert.equal(updated.data?.updateProfile.user.id, f.memberId);
  assert.equal(recorder.exchanges.length, sent + 1, "only the mutation went out");

  const cached = client.readQuery({ query: FeedDocument, variables: latest });
  const chips = (cached?.feed.edges ?? [])
    .filter((e) => e.node.author.id === f.memberId)
    .map((e) => [e.node.author.nickname, e.node.author.avatarUrl]);
  assert.deepEqual(chips, f.postIds.map(() => [nickname, avatarUrl]), "stale author chips");
  assert.equal(client.readQuery({ query: ViewerDocument })?.viewer?.nickname, nickname);
});

test("the viewer links to the member as a User", async () => {
  const client = httpClient(graphqlUrl(f), { token: f.token });
  const viewer = await client.query({ query: ViewerAsUserDocument });
  assert.equal(viewer.data?.viewer?.user.id, f.memberId);
});

test("every object type with an id: ID! implements Node", async () => {
  const client = httpClient(graphqlUrl(f));
  const schema = await client.query({ query: ObjectIdentitiesDocument });
  const withoutNode = (schema.data?.__schema.types ?? [])
    .filter((t) => t.kind === "OBJECT" && !(t.name ?? "").startsWith("__"))
    .filter((t) =>
      (t.fields ?? []).some(
        (field) => field.name === "id" && field.type.kind === "NON_NULL" && field.type.ofType?.name === "ID",
      ),
    )
    .filter((t) => !(t.interfaces ?? []).some((i) => i.name === "Node"))
    .map((t) => t.name);
  // The three that are not a Node name one on purpose: Viewer.id is the member's User id
  // (node(id:) answers the User), a CalendarItem's id is its post's, event's or
  // collection's, and a JobHandle's is a queue id that looks like no global id.
  assert.deepEqual(withoutNode.sort(), ["CalendarItem", "JobHandle", "Viewer"]);
});
