// @quanzi/miniprogram: Quanzi's client SDK for WeChat mini-programs. The typed operations
// live in "@quanzi/miniprogram/operations" (FeedDocument, LikePostDocument…).
export { createClient, QuanziClient } from "./client.js";
export type { ClientOptions, RequestOptions, SubscribeMessagesResult, UploadedImage, VariablesArgs } from "./client.js";
export { EntityCache } from "./cache.js";
export { QuanziError, isQuanziError } from "./errors.js";
export type { ClientErrorCode, GraphQLErrorShape } from "./errors.js";
export type { ResultOf, TypedDocument, VariablesOf } from "./document.js";
export type { LiveSink, ReconnectOptions } from "./live.js";
export type { SignInResult, SignedOutReason, Tokens } from "./session.js";
export type { PersistedMode } from "./transport.js";
export { sha256 } from "./sha256.js";
export type { Wx, WxSocketTask } from "./wx.js";
