// The SDK's one object: typed requests, sign-in, live notifications, uploads and subscribe
// messages, over the mini-program's own API (wx, or Taro / uni passed as `platform`).
import { EntityCache } from "./cache.js";
import { type Operation, type TypedDocument, operationOf } from "./document.js";
import { QuanziError, fromGraphQLErrors } from "./errors.js";
import { GrantSubscribeMessagesDocument } from "./gql/graphql.js";
import { Live, type LiveSink, type ReconnectOptions } from "./live.js";
import { Session, type SignInResult, type SignedOutReason, type Tokens, signedOut } from "./session.js";
import { type Answer, type PersistedMode, Transport, firstCode } from "./transport.js";
import { type Wx, platformOr, systemLanguage } from "./wx.js";

export interface ClientOptions {
  /** the API's base address, e.g. "https://api.example.com" (GraphQL at /graphql) */
  url: string;
  /** the socket's address; default: `url` with ws(s) and /graphql */
  socketUrl?: string;
  /** wx (the default), Taro or uni */
  platform?: Wx;
  /** "auto": automatic persisted queries (default); "allowlist": only registered ids
   * (production with QUANZI_PERSISTED_QUERIES_DIR holding persisted-documents.json);
   * "off": the text every time */
  persisted?: PersistedMode;
  /** ms before a request gives up (default 10000) */
  timeout?: number;
  /** ms before the one retry of a query (or an idempotent mutation) that got no answer */
  retryDelay?: number;
  /** refresh when the access token has fewer seconds than this left (default 60) */
  refreshAhead?: number;
  /** sign in again with wx.login when a refresh cannot help (default true) */
  autoSignIn?: boolean;
  /** where the token pair is kept (default "quanzi.session") */
  storageKey?: string;
  /** Accept-Language; default from wx.getSystemInfoSync().language */
  language?: string;
  /** keep answers in the entity cache (default true); see EntityCache */
  cache?: boolean;
  /** live socket reconnection */
  reconnect?: ReconnectOptions;
  /** close the socket while the app is hidden (default true) */
  pauseWhenHidden?: boolean;
  /** told when the session changes: signed in, refreshed, or signed out (with why) */
  onSession?: (tokens: Tokens | null, reason?: SignedOutReason) => void;
}

export interface RequestOptions {
  /** ms, this request only */
  timeout?: number;
}

/** The variables argument: optional when the operation has no required variable. */
export type VariablesArgs<V> = {} extends V ? [variables?: V, options?: RequestOptions] : [variables: V, options?: RequestOptions];

export interface UploadedImage {
  url: string;
  width: number;
  height: number;
}

export interface SubscribeMessagesResult {
  /** template ids the member accepted */
  accepted: string[];
  /** grants the server recorded (one WeChat message each) */
  recorded: number;
  /** wx.requestSubscribeMessage's answer per template id: accept, reject, ban, filter */
  answers: Record<string, string>;
}

export class QuanziClient {
  readonly cache: EntityCache;
  private readonly platform: Wx;
  private readonly transport: Transport;
  private readonly session: Session;
  private readonly live: Live;
  private readonly options: ClientOptions;
  private readonly language: () => string;
  private readonly onHide = (): void => this.live.pause();
  private readonly onShow = (): void => this.live.resume();

  constructor(options: ClientOptions) {
    this.options = options;
    const platform = platformOr(options.platform);
    this.platform = platform;
    const base = options.url.replace(/\/+$/, "");
    let language: string | undefined = options.language;
    this.language = () => language ?? (language = systemLanguage(platform));
    this.transport = new Transport({
      platform,
      endpoint: `${base}/graphql`,
      persisted: options.persisted ?? "auto",
      timeout: options.timeout ?? 10000,
      retryDelay: options.retryDelay ?? 300,
      language: this.language,
    });
    this.session = new Session({
      platform,
      transport: this.transport,
      storageKey: options.storageKey ?? "quanzi.session",
      refreshAhead: options.refreshAhead ?? 60,
      autoSignIn: options.autoSignIn ?? true,
      onChange: (tokens, reason) => {
        if (!tokens) this.live.stop();
        options.onSession?.(tokens, reason);
      },
    });
    this.cache = new EntityCache();
    this.live = new Live({
      platform,
      url: options.socketUrl ?? `${base.replace(/^http/, "ws")}/graphql`,
      session: this.session,
      language: this.language,
      reconnect: options.reconnect ?? {},
    });
    if (options.pauseWhenHidden ?? true) {
      platform.onAppHide?.(this.onHide);
      platform.onAppShow?.(this.onShow);
    }
  }

  /** Whether a member is signed in (a token pair is stored). */
  get signedIn(): boolean {
    return this.session.current !== null;
  }

  /** The signed-in member's User id, if any. */
  get viewerId(): string | null {
    return this.session.current?.viewerId || null;
  }

  /** How many times the token was refreshed by this client (diagnostics). */
  get refreshCount(): number {
    return this.session.refreshes;
  }

  /** The live socket's counts (opened, connected, close codes seen). */
  get socketStats(): { opened: number; connected: number; closes: number[] } {
    return this.live.stats;
  }

  /** Run a query or mutation; answers its data, typed by the document, or throws a
   * QuanziError. The answer is written into `cache` (held objects with the same ids are
   * patched). */
  async request<R, V>(document: TypedDocument<R, V>, ...args: VariablesArgs<V>): Promise<R> {
    const [variables, options] = args;
    const operation = operationOf(document);
    if (operation.kind === "subscription") throw new Error("quanzi: use client.subscribe for a subscription");
    const answer = await this.authorized(operation, variables, options?.timeout);
    if (answer.errors?.length) {
      if (answer.data && (this.options.cache ?? true)) this.cache.write(answer.data);
      throw fromGraphQLErrors(answer.errors, { ...answer, retryAfterHeader: answer.retryAfter });
    }
    if (!answer.data) throw new QuanziError({ code: "BAD_RESPONSE", message: "no data", requestId: answer.requestId, status: answer.status });
    if (this.options.cache ?? true) this.cache.write(answer.data);
    return answer.data as R;
  }

  /** wx.login, then wechatLogin: a new member's invite code and share token are recorded. */
  login(attribution: { inviteCode?: string | null; shareToken?: string | null } = {}): Promise<SignInResult> {
    return this.session.signIn(attribution);
  }

  /** Forget the token pair, close the socket and empty the cache. */
  signOut(): void {
    this.session.signOut("signOut");
    this.cache.clear();
  }

  /** A live operation (NotificationAddedDocument) over the socket; answers the unsubscribe. */
  subscribe<R, V>(document: TypedDocument<R, V>, variables: V | undefined, sink: LiveSink<R>): () => void {
    const operation = operationOf(document);
    return this.live.subscribe(operation, variables ?? {}, sink as LiveSink<unknown>);
  }

  /** Close the socket (as when the app is hidden) and open it again. */
  pauseLive(): void {
    this.live.pause();
  }

  resumeLive(): void {
    this.live.resume();
  }

  /** An image (a wx.chooseMedia temp file) uploaded with the member's token: its public URL
   * and size, ready for createPost's imageUrls. */
  async uploadImage(tempFilePath: string, options: RequestOptions = {}): Promise<UploadedImage> {
    const base = this.options.url.replace(/\/+$/, "");
    let token = await this.session.token();
    if (!token) throw signedOut();
    let answer = await this.upload(`${base}/media/images`, tempFilePath, token, options.timeout);
    if (answer.status === 401) {
      await this.session.recover(token, reasonOf(answer.body));
      token = await this.session.token();
      if (!token) throw signedOut();
      answer = await this.upload(`${base}/media/images`, tempFilePath, token, options.timeout);
    }
    const body = answer.body as Partial<UploadedImage> & { errors?: Answer["errors"] };
    if (answer.status !== 200 || typeof body.url !== "string") {
      throw fromGraphQLErrors(body.errors ?? [{ message: `HTTP ${answer.status}` }], { status: answer.status });
    }
    return { url: body.url, width: Number(body.width), height: Number(body.height) };
  }

  /** Ask the member for subscribe messages (call it from a tap) and record the grants the
   * member accepted, so the server may send that many WeChat messages. */
  async requestSubscribeMessages(templateIds: string[]): Promise<SubscribeMessagesResult> {
    const ask = this.platform.requestSubscribeMessage;
    if (!ask) throw new QuanziError({ code: "SUBSCRIBE_MESSAGE_FAILED", message: "wx.requestSubscribeMessage is not available" });
    const answers = await new Promise<Record<string, string>>((resolve, reject) => {
      ask.call(this.platform, {
        tmplIds: templateIds,
        success: (result) => resolve(result),
        fail: (error) => reject(new QuanziError({ code: "SUBSCRIBE_MESSAGE_FAILED", message: error.errMsg })),
      });
    });
    const accepted = templateIds.filter((id) => answers[id] === "accept");
    if (!accepted.length) return { accepted, recorded: 0, answers };
    const granted = await this.request(GrantSubscribeMessagesDocument, { templateIds: accepted });
    return { accepted, recorded: granted.grantSubscribeMessages.count, answers };
  }

  /** Stop listening to app show/hide and close the socket. */
  dispose(): void {
    this.platform.offAppHide?.(this.onHide);
    this.platform.offAppShow?.(this.onShow);
    this.live.stop();
  }

  /** Send with the member's token; on a refused token (401 UNAUTHENTICATED) recover once
   * (refresh, else sign in again; one recovery for all the requests waiting) and resend. */
  private async authorized(operation: Operation, variables: unknown, timeout?: number): Promise<Answer> {
    const token = await this.session.token();
    const answer = await this.transport.execute(operation, variables, token, timeout);
    if (!token || answer.status !== 401 || firstCode(answer) !== "UNAUTHENTICATED") return answer;
    await this.session.recover(token, answer.errors?.[0]?.extensions?.reason);
    return this.transport.execute(operation, variables, await this.session.token(), timeout);
  }

  private upload(url: string, filePath: string, token: string, timeout?: number): Promise<{ status: number; body: unknown }> {
    return new Promise((resolve, reject) => {
      this.platform.uploadFile({
        url,
        filePath,
        name: "file",
        header: { Authorization: `Bearer ${token}`, "Accept-Language": this.language() },
        timeout: timeout ?? this.options.timeout ?? 60000,
        success: (result) => {
          let body: unknown;
          try {
            body = typeof result.data === "string" ? JSON.parse(result.data) : result.data;
          } catch {
            body = {};
          }
          resolve({ status: result.statusCode, body });
        },
        fail: (error) =>
          reject(new QuanziError({ code: /timeout/i.test(error.errMsg) ? "TIMEOUT" : "NETWORK_ERROR", message: error.errMsg })),
      });
    });
  }
}

function reasonOf(body: unknown): string | undefined {
  const errors = (body as { errors?: Answer["errors"] } | undefined)?.errors;
  return errors?.[0]?.extensions?.reason;
}

/** The client for a mini-program (or Taro / uni-app: pass `platform`). */
export function createClient(options: ClientOptions): QuanziClient {
  return new QuanziClient(options);
}

