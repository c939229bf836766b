// The part of the mini-program API the SDK uses, typed structurally: WeChat's `wx`, Taro's
// `Taro` and uni-app's `uni` all fit (pass one as `platform`; the default is the global `wx`).
// Nothing here imports a module: the SDK runs where only these functions exist.

export interface WxFail {
  errMsg: string;
  errno?: number;
}

export interface WxRequestSuccess {
  data: unknown;
  statusCode: number;
  header?: Record<string, string>;
}

export interface WxRequestOptions {
  url: string;
  method?: "GET" | "POST";
  data?: string | Record<string, unknown>;
  header?: Record<string, string>;
  timeout?: number;
  dataType?: string;
  success?: (result: WxRequestSuccess) => void;
  fail?: (error: WxFail) => void;
}

export interface WxUploadOptions {
  url: string;
  filePath: string;
  name: string;
  header?: Record<string, string>;
  timeout?: number;
  success?: (result: { data: string; statusCode: number }) => void;
  fail?: (error: WxFail) => void;
}

export interface WxSocketTask {
  send(options: { data: string; fail?: (error: WxFail) => void }): void;
  close(options: { code?: number; reason?: string }): void;
  onOpen(listener: (result: unknown) => void): void;
  onClose(listener: (result: { code: number; reason: string }) => void): void;
  onError(listener: (error: WxFail) => void): void;
  onMessage(listener: (message: { data: string | ArrayBuffer }) => void): void;
}

export interface WxConnectOptions {
  url: string;
  header?: Record<string, string>;
  protocols?: string[];
  timeout?: number;
  /** given (a no-op) because uni.connectSocket answers the task only when a callback is */
  complete?: () => void;
}

export interface Wx {
  request(options: WxRequestOptions): unknown;
  uploadFile(options: WxUploadOptions): unknown;
  /** wx and uni answer the task; Taro answers a promise of it */
  connectSocket(options: WxConnectOptions): WxSocketTask | PromiseLike<WxSocketTask>;
  login(options: { timeout?: number; success?: (result: { code: string }) => void; fail?: (error: WxFail) => void }): void;
  getStorageSync(key: string): unknown;
  setStorageSync(key: string, value: unknown): void;
  removeStorageSync(key: string): void;
  getSystemInfoSync?(): { language?: string };
  onAppHide?(listener: () => void): void;
  onAppShow?(listener: () => void): void;
  offAppHide?(listener: () => void): void;
  offAppShow?(listener: () => void): void;
  requestSubscribeMessage?(options: {
    tmplIds: string[];
    success?: (result: Record<string, string>) => void;
    fail?: (error: WxFail) => void;
  }): void;
}

declare const wx: Wx | undefined;

/** The platform given, else the mini-program's global `wx`. */
export function platformOr(given: Wx | undefined): Wx {
  if (given) return given;
  if (typeof wx !== "undefined" && wx) return wx;
  throw new Error("quanzi: no `wx` here; pass `platform` (Taro, uni) to createClient");
}

/** Accept-Language from the system's language (`zh_CN` → `zh-CN`), `zh` when unknown. */
export function systemLanguage(platform: Wx): string {
  try {
    const language = platform.getSystemInfoSync?.().language;
    if (language) return language.replace(/_/g, "-");
  } catch {
    // not available in this runtime
  }
  return "zh";
}

/** A header's value whatever its case (wx hands headers as the server wrote them). */
export function headerOf(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === wanted) return headers[key];
  }
  return undefined;
}
