// Compile-time checks (tsc --strict over example/ fails if any of these stops failing):
// documents type their variables and answers end to end.
import { createClient } from "@quanzi/miniprogram";
import { FeedDocument, LikePostDocument, ViewerDocument } from "@quanzi/miniprogram/operations";

export async function typed(): Promise<number> {
  const client = createClient({ url: "https://api.quanzi.example", platform: wx });
  // @ts-expect-error: `kind` is required
  await client.request(FeedDocument, {});
  // @ts-expect-error: not a FeedKind
  await client.request(FeedDocument, { kind: "NEWEST" });
  // @ts-expect-error: `postId` is required
  await client.request(LikePostDocument);
  await client.request(ViewerDocument); // no variables needed
  const { feed } = await client.request(FeedDocument, { kind: "LATEST", first: 10 });
  // @ts-expect-error: a Feed card has no `likes` field
  void feed.edges[0]?.node.likes;
  return feed.edges[0]?.node.likeCount ?? 0;
}
