// A native page using every helper: the Feed and its next page, a like patching the card
// through the cache, live notifications, an image upload used in a post, subscribe
// messages, typed errors, signing in and out.
import { isQuanziError, type QuanziError } from "@quanzi/miniprogram";
import {
  CreatePostDocument,
  FeedDocument,
  LikePostDocument,
  NotificationAddedDocument,
  type PostCardFragment,
} from "@quanzi/miniprogram/operations";

import type { AppData } from "../../app";

const { client } = getApp<AppData>();
const COMMENT_TEMPLATE = "tpl-comment-0001";

interface Data {
  cards: PostCardFragment[];
  cursor: string | null;
  hasMore: boolean;
  unread: number;
  error: string;
}

interface Methods {
  stopLive?: () => void;
  stopCache?: () => void;
  loadMore(): Promise<void>;
  like(event: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { id: string }>): Promise<void>;
  post(): Promise<void>;
  allowMessages(): Promise<void>;
  signOut(): void;
  show(error: unknown): void;
}

Page<Data, Methods>({
  data: { cards: [], cursor: null, hasMore: true, unread: 0, error: "" },

  onLoad() {
    void this.loadMore();
    // a like, an edit, a fresher page: the cards held are patched, setData shows them
    this.stopCache = client.cache.subscribe(() => this.setData({ cards: this.data.cards }));
    this.stopLive = client.subscribe(NotificationAddedDocument, {}, {
      next: ({ notificationAdded }) => {
        this.setData({ unread: this.data.unread + 1 });
        wx.showToast({ title: notificationAdded.text, icon: "none" });
      },
      error: (error) => this.show(error),
    });
  },

  onUnload() {
    this.stopLive?.();
    this.stopCache?.();
  },

  async onPullDownRefresh() {
    this.setData({ cards: [], cursor: null, hasMore: true });
    await this.loadMore();
    wx.stopPullDownRefresh();
  },

  onReachBottom() {
    void this.loadMore();
  },

  async loadMore() {
    if (!this.data.hasMore) return;
    try {
      const { feed } = await client.request(FeedDocument, { kind: "LATEST", first: 10, after: this.data.cursor });
      this.setData({
        cards: [...this.data.cards, ...feed.edges.map((edge) => edge.node)],
        cursor: feed.pageInfo.endCursor ?? null,
        hasMore: feed.pageInfo.hasNextPage,
      });
    } catch (error) {
      this.show(error);
    }
  },

  async like(event) {
    try {
      await client.request(LikePostDocument, { postId: event.currentTarget.dataset.id });
    } catch (error) {
      this.show(error);
    }
  },

  async post() {
    try {
      const chosen = await wx.chooseMedia({ count: 1, mediaType: ["image"] });
      const file = chosen.tempFiles[0];
      if (!file) return;
      const image = await client.uploadImage(file.tempFilePath);
      const { createPost } = await client.request(CreatePostDocument, {
        input: { body: "今天的照片", imageUrls: [image.url] },
      });
      this.setData({ cards: [createPost.post, ...this.data.cards] });
    } catch (error) {
      this.show(error);
    }
  },

  async allowMessages() {
    // from a tap: WeChat asks the member, the grants the member gave are recorded
    const { recorded } = await client.requestSubscribeMessages([COMMENT_TEMPLATE]);
    if (recorded) wx.showToast({ title: "已开启评论提醒" });
  },

  signOut() {
    client.signOut();
    wx.reLaunch({ url: "/pages/feed/feed" });
  },

  show(error: unknown) {
    if (!isQuanziError(error)) throw error;
    const e: QuanziError = error;
    const message =
      e.code === "RATE_LIMITED"
        ? `操作太频繁，请 ${e.retryAfter ?? 60} 秒后再试`
        : e.code === "NETWORK_ERROR" || e.code === "TIMEOUT"
          ? "网络不太好，请稍后再试"
          : e.field
            ? `${e.field}: ${e.message}`
            : e.message;
    this.setData({ error: `${message} (${e.requestId ?? ""})` });
  },
});
