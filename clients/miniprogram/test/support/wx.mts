// TEST CODE: a `wx` for Node, so the SDK runs as in a mini-program against a real server:
// request and uploadFile on Node's fetch, connectSocket on `ws`, login handing out the codes
// the test registered with the project's WeChat stand-in (tests/wechat_stub.py), storage,
// system info, app show/hide and requestSubscribeMessage. It records what the SDK sent.
import { readFileSync } from "node:fs";
import { basename } from "node:path";

import WebSocket from "ws";

import type { Wx, WxSocketTask } from "@quanzi/miniprogram";

export interface Sent {
  operationName?: string;
  /** the text went along */
  withText: boolean;
  /** only a hash (an automatic persisted query's first try) */
  hashOnly: boolean;
  authorization?: string;
  acceptLanguage?: string;
  requestId?: string;
  status?: number;
  code?: string;
  reason?: string;
}

export interface Shim {
  wx: Wx;
  sent: Sent[];
  storage: Map<string, unknown>;
  /** codes wx.login hands out, in order */
  codes: string[];
  /** what wx.requestSubscribeMessage answers per template id */
  subscribeAnswers: Record<string, string>;
  sockets: WebSocket[];
  /** the network drops: every open socket is cut (close 1006) */
  dropSockets(): void;
  hide(): void;
  show(): void;
  uploads: number;
  /** the next n wx.request calls fail as a dropped network would (nothing reaches the server) */
  failNext: number;
  /** the next n wx.request calls reach the server but their answers are lost */
  loseNext: number;
}

export function createShim(options: { codes?: string[]; language?: string; taro?: boolean } = {}): Shim {
  const sent: Sent[] = [];
  const storage = new Map<string, unknown>();
  const hideListeners: Array<() => void> = [];
  const showListeners: Array<() => void> = [];
  const sockets: WebSocket[] = [];
  const shim: Shim = {
    sent,
    storage,
    codes: [...(options.codes ?? [])],
    subscribeAnswers: {},
    sockets,
    uploads: 0,
    failNext: 0,
    loseNext: 0,
    dropSockets() {
      for (const socket of sockets) if (socket.readyState === WebSocket.OPEN) socket.terminate();
    },
    hide() {
      hideListeners.slice().forEach((listener) => listener());
    },
    show() {
      showListeners.slice().forEach((listener) => listener());
    },
    wx: undefined as unknown as Wx,
  };
  const wx: Wx = {
    request(o) {
      const body = (o.data ?? {}) as Record<string, unknown>;
      const header = o.header ?? {};
      const record: Sent = {
        operationName: body.operationName as string | undefined,
        withText: typeof body.query === "string",
        hashOnly: typeof body.query !== "string" && !!body.extensions,
        authorization: header.Authorization,
        acceptLanguage: header["Accept-Language"],
        requestId: header["X-Request-ID"],
      };
      sent.push(record);
      if (shim.failNext > 0) {
        shim.failNext -= 1;
        record.code = "NETWORK_DOWN";
        setTimeout(() => o.fail?.({ errMsg: "request:fail net::ERR_INTERNET_DISCONNECTED" }), 0);
        return {};
      }
      const signal = o.timeout ? AbortSignal.timeout(o.timeout) : undefined;
      fetch(o.url, { method: o.method ?? "GET", headers: header, body: JSON.stringify(body), signal })
        .then(async (response) => {
          const text = await response.text();
          let data: unknown = text;
          try {
            data = JSON.parse(text);
          } catch {
            // wx hands non-JSON as text
          }
          const errors = (data as { errors?: Array<{ extensions?: { code?: string; reason?: string } }> }).errors;
          if (shim.loseNext > 0) {
            shim.loseNext -= 1;
            record.code = "ANSWER_LOST";
            o.fail?.({ errMsg: "request:fail net::ERR_CONNECTION_RESET" });
            return;
          }
          record.status = response.status;
          record.code = errors?.[0]?.extensions?.code;
          record.reason = errors?.[0]?.extensions?.reason;
          o.success?.({ data, statusCode: response.status, header: Object.fromEntries(response.headers) });
        })
        .catch((error: Error) => {
          const timedOut = error.name === "TimeoutError" || error.name === "AbortError";
          o.fail?.({ errMsg: `request:fail ${timedOut ? "timeout" : error.message}` });
        });
      return {};
    },
    uploadFile(o) {
      shim.uploads += 1;
      const form = new FormData();
      form.append(o.name, new Blob([readFileSync(o.filePath)]), basename(o.filePath));
      fetch(o.url, { method: "POST", headers: o.header, body: form })
        .then(async (response) => o.success?.({ data: await response.text(), statusCode: response.status }))
        .catch((error: Error) => o.fail?.({ errMsg: `uploadFile:fail ${error.message}` }));
      return {};
    },
    connectSocket(o) {
      const socket = new WebSocket(o.url, o.protocols, { headers: o.header });
      sockets.push(socket);
      const task: WxSocketTask = {
        send: ({ data }) => socket.send(data),
        close: ({ code, reason }) => socket.close(code, reason),
        onOpen: (listener) => socket.on("open", () => listener({})),
        onClose: (listener) => socket.on("close", (code, reason) => listener({ code, reason: reason.toString() })),
        onError: (listener) => socket.on("error", (error) => listener({ errMsg: error.message })),
        onMessage: (listener) => socket.on("message", (data, isBinary) => listener({ data: isBinary ? new ArrayBuffer(0) : data.toString() })),
      };
      // Taro.connectSocket answers a promise of the task
      return options.taro ? Promise.resolve(task) : task;
    },
    login(o) {
      const code = shim.codes.shift();
      setTimeout(() => (code ? o.success?.({ code }) : o.fail?.({ errMsg: "login:fail no code left" })), 0);
    },
    getStorageSync: (key) => (storage.has(key) ? structuredClone(storage.get(key)) : ""),
    setStorageSync: (key, value) => void storage.set(key, structuredClone(value)),
    removeStorageSync: (key) => void storage.delete(key),
    getSystemInfoSync: () => ({ language: options.language ?? "zh_CN" }),
    onAppHide: (listener) => void hideListeners.push(listener),
    onAppShow: (listener) => void showListeners.push(listener),
    offAppHide: (listener) => void hideListeners.splice(hideListeners.indexOf(listener) >>> 0, 1),
    offAppShow: (listener) => void showListeners.splice(showListeners.indexOf(listener) >>> 0, 1),
    requestSubscribeMessage(o) {
      const answer: Record<string, string> = { errMsg: "requestSubscribeMessage:ok" };
      for (const id of o.tmplIds) answer[id] = shim.subscribeAnswers[id] ?? "reject";
      setTimeout(() => o.success?.(answer), 0);
    },
  };
  shim.wx = wx;
  return shim;
}

/** What tests/api/test_miniprogram_sdk.py hands a test: the server and what it seeded. */
export function fixture<T extends object>(): { url: string } & T {
  const raw = process.env.MINIPROGRAM;
  if (!raw) throw new Error("MINIPROGRAM is not set: run it with `make miniprogram`");
  return JSON.parse(raw) as { url: string } & T;
}

/** A session as the server handed it, stored where the SDK keeps it. */
export interface StoredSession {
  token: string;
  refreshToken: string;
  expiresAt: number;
  viewerId: string;
}

export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function until(what: string, check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`${what}: not after ${ms} ms`);
    await delay(20);
  }
}
