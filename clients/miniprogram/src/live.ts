// Live operations (notificationAdded) over graphql-ws, the reference client, on
// wx.connectSocket: a fresh token in every connection_init, reconnection with backoff,
// a refresh (or a new sign-in) then reconnection on 4401, no retry at all on 4403 (a ban),
// and nothing open while the app is hidden (pause / resume, wired to wx.onAppHide / onAppShow).
import { type Client, createClient } from "graphql-ws/client";

import type { Operation } from "./document.js";
import { type GraphQLErrorShape, QuanziError, fromGraphQLErrors } from "./errors.js";
import type { Session } from "./session.js";
import type { Wx, WxSocketTask } from "./wx.js";

export interface LiveSink<T> {
  next(value: T): void;
  /** a GraphQL error of one result, or the end of the subscription (4403, signed out, gave up) */
  error?(error: QuanziError): void;
  complete?(): void;
}

export interface ReconnectOptions {
  /** reconnections in a row before giving up (default 20) */
  attempts?: number;
  /** ms of the first wait; doubles each time (default 1000) */
  baseDelay?: number;
  /** ms, the longest wait (default 30000) */
  maxDelay?: number;
}

interface Entry {
  operation: Operation;
  variables: unknown;
  sink: LiveSink<unknown>;
  run: object | null;
  stop: (() => void) | null;
  authRetries: number;
}

interface CloseLike {
  code: number;
  reason: string;
}

const isClose = (value: unknown): value is CloseLike =>
  typeof value === "object" && value !== null && "code" in value && "reason" in value && typeof (value as CloseLike).code === "number";

export interface LiveOptions {
  platform: Wx;
  url: string;
  session: Session;
  language: () => string;
  reconnect: ReconnectOptions;
}

export class Live {
  private client: Client | null = null;
  private paused = false;
  private readonly entries = new Set<Entry>();
  private socketToken = "";
  /** sockets opened so far, and the close codes seen (diagnostics, tests) */
  readonly stats = { opened: 0, connected: 0, closes: [] as number[] };

  constructor(private readonly options: LiveOptions) {}

  subscribe(operation: Operation, variables: unknown, sink: LiveSink<unknown>): () => void {
    const entry: Entry = { operation, variables, sink, run: null, stop: null, authRetries: 0 };
    this.entries.add(entry);
    if (!this.paused) this.start(entry);
    return () => {
      if (!this.entries.delete(entry)) return;
      this.halt(entry);
      if (this.entries.size === 0) this.closeClient();
    };
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Close the socket, keeping the subscriptions to start again on resume. */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.entries.forEach((entry) => this.halt(entry));
    this.closeClient();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.entries.forEach((entry) => this.start(entry));
  }

  /** End every subscription and close the socket (signing out). */
  stop(): void {
    const entries = Array.from(this.entries);
    this.entries.clear();
    entries.forEach((entry) => this.halt(entry));
    this.closeClient();
  }

  private start(entry: Entry): void {
    const run = {};
    entry.run = run;
    const client = this.ensureClient();
    const { operation, variables } = entry;
    entry.stop = client.subscribe(
      { query: operation.text, operationName: operation.name, variables: variables as Record<string, unknown> },
      {
        next: (result) => {
          if (entry.run !== run) return;
          if (result.errors?.length) entry.sink.error?.(fromGraphQLErrors(result.errors as GraphQLErrorShape[], { data: result.data }));
          else entry.sink.next(result.data);
        },
        error: (error) => {
          if (entry.run !== run) return;
          entry.run = null;
          void this.failed(entry, error);
        },
        complete: () => {
          if (entry.run !== run) return;
          entry.run = null;
          this.entries.delete(entry);
          entry.sink.complete?.();
        },
      },
    );
  }

  private halt(entry: Entry): void {
    entry.run = null;
    const stop = entry.stop;
    entry.stop = null;
    stop?.();
  }

  private async failed(entry: Entry, error: unknown): Promise<void> {
    if (!this.entries.has(entry)) return;
    if (isClose(error) && error.code === 4401 && entry.authRetries < 1) {
      entry.authRetries += 1;
      try {
        await this.options.session.recover(this.socketToken, error.reason || undefined);
      } catch (refused) {
        this.end(entry, refused);
        return;
      }
      if (this.entries.has(entry) && !this.paused && entry.run === null) this.start(entry);
      return;
    }
    this.end(entry, error);
  }

  private end(entry: Entry, error: unknown): void {
    this.entries.delete(entry);
    entry.sink.error?.(socketError(error));
  }

  private ensureClient(): Client {
    if (this.client) return this.client;
    const { platform, url, session, language, reconnect } = this.options;
    const base = reconnect.baseDelay ?? 1000;
    const most = reconnect.maxDelay ?? 30000;
    this.client = createClient({
      url,
      webSocketImpl: wxWebSocket(platform, () => ({ "Accept-Language": language() })),
      lazy: true,
      retryAttempts: reconnect.attempts ?? 20,
      retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(most, base * Math.pow(2, retries)) + Math.random() * base)),
      // 4401 (refresh, then a new socket: done above) and 4403 (banned) are not retried;
      // neither is a sign-in that is gone (connectionParams threw).
      shouldRetry: (error) => !(error instanceof QuanziError) && !(isClose(error) && (error.code === 4401 || error.code === 4403)),
      connectionParams: async () => {
        const token = await session.token();
        if (!token) throw new QuanziError({ code: "SIGNED_OUT", message: "not signed in" });
        this.socketToken = token;
        return { authorization: `Bearer ${token}`, locale: language() };
      },
      on: {
        opened: () => {
          this.stats.opened += 1;
        },
        connected: () => {
          this.stats.connected += 1;
          this.entries.forEach((entry) => {
            entry.authRetries = 0;
          });
        },
        closed: (event) => {
          if (isClose(event)) this.stats.closes.push(event.code);
        },
      },
    });
    return this.client;
  }

  private closeClient(): void {
    const client = this.client;
    this.client = null;
    if (client) void client.dispose();
  }
}

function socketError(error: unknown): QuanziError {
  if (error instanceof QuanziError) return error;
  if (isClose(error)) {
    const banned = error.code === 4403;
    return new QuanziError({
      code: banned ? "FORBIDDEN" : error.code === 4401 ? "UNAUTHENTICATED" : "SOCKET_CLOSED",
      reason: error.reason || undefined,
      message: `socket closed: ${error.code} ${error.reason}`,
    });
  }
  if (Array.isArray(error)) return fromGraphQLErrors(error as GraphQLErrorShape[]);
  const message = typeof error === "object" && error !== null && "errMsg" in error ? String((error as { errMsg: unknown }).errMsg) : String(error);
  return new QuanziError({ code: "SOCKET_CLOSED", message });
}

/** The WebSocket graphql-ws constructs (`new impl(url, protocol)`), on wx.connectSocket. */
function wxWebSocket(platform: Wx, headers: () => Record<string, string>): unknown {
  return class WxWebSocket {
    static readonly CONNECTING = 0;
    static readonly OPEN = 1;
    static readonly CLOSING = 2;
    static readonly CLOSED = 3;
    readyState = 0;
    readonly protocol: string;
    onopen: ((event: unknown) => void) | null = null;
    onclose: ((event: CloseLike) => void) | null = null;
    onerror: ((event: unknown) => void) | null = null;
    onmessage: ((event: { data: string }) => void) | null = null;
    private task: WxSocketTask | null = null;
    private closing: { code: number; reason: string } | null = null;

    constructor(address: string, protocol: string | string[]) {
      const protocols = Array.isArray(protocol) ? protocol : [protocol];
      this.protocol = protocols[0] ?? "";
      const made = platform.connectSocket({ url: address, header: headers(), protocols, complete: () => undefined });
      if (typeof (made as PromiseLike<WxSocketTask>).then === "function") {
        (made as PromiseLike<WxSocketTask>).then(
          (task) => this.attach(task),
          (error: unknown) => {
            this.readyState = 3;
            this.onerror?.(error);
          },
        );
      } else {
        this.attach(made as WxSocketTask);
      }
    }

    private attach(task: WxSocketTask): void {
      this.task = task;
      task.onOpen(() => {
        this.readyState = 1;
        this.onopen?.({});
      });
      task.onMessage(({ data }) => {
        if (typeof data === "string") this.onmessage?.({ data });
      });
      task.onError((error) => {
        this.onerror?.(error);
      });
      task.onClose(({ code, reason }) => {
        this.readyState = 3;
        this.onclose?.({ code, reason: reason ?? "" });
      });
      if (this.closing) task.close(this.closing); // closed before Taro handed the task over
    }

    send(data: string): void {
      this.task?.send({ data });
    }

    close(code?: number, reason?: string): void {
      if (this.readyState >= 2) return;
      this.readyState = 2;
      this.closing = { code: code ?? 1000, reason: reason ?? "" };
      this.task?.close(this.closing);
    }
  };
}
