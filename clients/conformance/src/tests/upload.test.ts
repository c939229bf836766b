// An image as wx.uploadFile sends it (multipart, field `file`, the bearer), its URL on the
// configured public base, and that URL used in a post.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { CreatePostDocument } from "../gql/graphql.js";
import { httpClient } from "../support/apollo.js";
import { fixture, graphqlUrl } from "../support/fixture.js";
import { bearer } from "../support/http.js";

const f = fixture<{ token: string; mediaBase: string; image: string; width: number; height: number }>();

test("an uploaded image's URL is on the public base and a post can use it", async () => {
  const form = new FormData();
  form.append("file", new Blob([readFileSync(f.image)], { type: "image/png" }), "photo.png");
  const uploaded = await fetch(`${f.url}/media/images`, { method: "POST", headers: bearer(f.token), body: form });
  const image = (await uploaded.json()) as { url: string; width: number; height: number };
  assert.equal(uploaded.status, 200, JSON.stringify(image));
  assert.ok(image.url.startsWith(`${f.mediaBase}/`), `${image.url} is not under ${f.mediaBase}`);
  assert.deepEqual([image.width, image.height], [f.width, f.height]);

  const member = httpClient(graphqlUrl(f), { token: f.token });
  const created = await member.mutate({
    mutation: CreatePostDocument,
    variables: { input: { body: "带图的帖子", imageUrls: [image.url] } },
  });
  const images = created.data?.createPost.post.images.map(({ url, width, height }) => ({ url, width, height }));
  assert.deepEqual(images, [image]);

  const served = await fetch(`${f.url}/media/${image.url.slice(f.mediaBase.length + 1)}`);
  assert.equal(served.status, 200);
  assert.match(served.headers.get("content-type") ?? "", /^image\//);
});
