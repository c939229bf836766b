// The member's sign-in: the token pair in wx storage, wx.login → wechatLogin, refreshing
// ahead of expiry and when the server refuses the token, one refresh at a time whoever
// waits for it, signing in again (wx.login needs no tap) when a refresh cannot help.
import { operationOf, type TypedDocument } from "./document.js";
import { QuanziError, fromGraphQLErrors } from "./errors.js";
import { SdkRefreshDocument, SdkSignInDocument } from "./gql/graphql.js";
import type { Answer, Transport } from "./transport.js";
import type { Wx } from "./wx.js";

export interface Tokens {
  token: string;
  refreshToken: string;
  /** ms since the epoch */
  expiresAt: number;
  viewerId: string;
}

export interface SignInResult {
  isNewUser: boolean;
  viewerId: string;
}

export type SignedOutReason = "signOut" | "refused" | "banned";

export interface SessionOptions {
  platform: Wx;
  transport: Transport;
  storageKey: string;
  /** refresh when the access token has fewer seconds than this left */
  refreshAhead: number;
  /** sign in again with wx.login when a refresh cannot help (default true) */
  autoSignIn: boolean;
  onChange: (tokens: Tokens | null, reason?: SignedOutReason) => void;
}

export class Session {
  private tokens: Tokens | null;
  private pending: Promise<void> | null = null;
  /** how many refreshToken mutations this session sent (tests and diagnostics) */
  refreshes = 0;

  constructor(private readonly options: SessionOptions) {
    this.tokens = readStored(options.platform, options.storageKey);
  }

  get current(): Tokens | null {
    return this.tokens;
  }

  /** The access token to send now: refreshed first when it is about to expire; null when
   * nobody is signed in. */
  async token(): Promise<string | null> {
    if (this.pending) await this.pending.catch(() => undefined);
    const tokens = this.tokens;
    if (!tokens) return null;
    if (tokens.expiresAt - Date.now() < this.options.refreshAhead * 1000) {
      await this.recover(tokens.token, "token_expired").catch(() => undefined);
    }
    return this.tokens ? this.tokens.token : null;
  }

  /** wx.login, then wechatLogin with the invite code and share token a new member came with;
   * requests meanwhile wait for it. */
  signIn(attribution: { inviteCode?: string | null; shareToken?: string | null } = {}): Promise<SignInResult> {
    const run = this.exchange(attribution);
    const held = run.then(
      () => undefined,
      () => undefined,
    );
    this.pending = held;
    void held.then(() => {
      if (this.pending === held) this.pending = null;
    });
    return run;
  }

  signOut(reason: SignedOutReason = "signOut"): void {
    this.tokens = null;
    try {
      this.options.platform.removeStorageSync(this.options.storageKey);
    } catch {
      // storage unavailable: nothing kept anyway
    }
    this.options.onChange(null, reason);
  }

  /** After the server refused `stale` (reason: token_expired, token_invalid,
   * session_revoked): refresh once, else sign in again; one recovery at a time, and none
   * when the token changed meanwhile (another request already recovered). Throws
   * SIGNED_OUT when the member could not be signed in again. */
  async recover(stale: string, reason: string | undefined): Promise<void> {
    while (this.pending) {
      await this.pending.catch(() => undefined);
    }
    if (!this.tokens || this.tokens.token !== stale) {
      if (!this.tokens) throw signedOut();
      return;
    }
    const run = this.recovering(this.tokens, reason);
    this.pending = run;
    try {
      await run;
    } finally {
      if (this.pending === run) this.pending = null;
    }
  }

  private async recovering(tokens: Tokens, reason: string | undefined): Promise<void> {
    if (reason === "account_banned") {
      this.signOut("banned");
      throw signedOut("account_banned");
    }
    if (reason === "token_expired" || reason === undefined) {
      this.refreshes += 1;
      const answer = await this.send(SdkRefreshDocument, { refreshToken: tokens.refreshToken }).catch((error: unknown) => {
        if (error instanceof QuanziError && (error.code === "NETWORK_ERROR" || error.code === "TIMEOUT")) throw error;
        return null;
      });
      const data = answer?.data?.refreshToken as
        | { token: string; refreshToken: string; expiresAt: string; viewer: { id: string } }
        | undefined;
      if (data && !answer?.errors?.length) {
        this.store({ token: data.token, refreshToken: data.refreshToken, expiresAt: Date.parse(data.expiresAt), viewerId: data.viewer.id });
        return;
      }
      const code = answer?.errors?.[0]?.extensions?.code;
      if (code === "FORBIDDEN") {
        this.signOut("banned");
        throw signedOut("account_banned");
      }
    }
    if (!this.options.autoSignIn) {
      this.signOut("refused");
      throw signedOut(reason);
    }
    try {
      await this.exchange({});
    } catch (error) {
      this.signOut("refused");
      throw error instanceof QuanziError && error.code === "FORBIDDEN" ? error : signedOut(reason);
    }
  }

  private async exchange(attribution: { inviteCode?: string | null; shareToken?: string | null }): Promise<SignInResult> {
    const code = await wxLogin(this.options.platform);
    const answer = await this.send(SdkSignInDocument, {
      code,
      inviteCode: attribution.inviteCode ?? null,
      shareToken: attribution.shareToken ?? null,
    });
    const data = answer.data?.wechatLogin as
      | { token: string; refreshToken: string; expiresAt: string; isNewUser: boolean; viewer: { id: string } }
      | undefined;
    if (answer.errors?.length || !data) throw fromGraphQLErrors(answer.errors ?? [], answer);
    this.store({ token: data.token, refreshToken: data.refreshToken, expiresAt: Date.parse(data.expiresAt), viewerId: data.viewer.id });
    return { isNewUser: data.isNewUser, viewerId: data.viewer.id };
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private send(document: TypedDocument<any, any>, variables: Record<string, unknown>): Promise<Answer> {
    // sign-in and refresh go without a bearer: nothing stale in the header
    return this.options.transport.execute(operationOf(document), variables, null);
  }

  private store(tokens: Tokens): void {
    this.tokens = tokens;
    try {
      this.options.platform.setStorageSync(this.options.storageKey, tokens);
    } catch {
      // kept in memory for this run
    }
    this.options.onChange(tokens);
  }
}

function readStored(platform: Wx, key: string): Tokens | null {
  try {
    const stored = platform.getStorageSync(key) as Partial<Tokens> | "" | undefined;
    if (stored && typeof stored === "object" && stored.token && stored.refreshToken && typeof stored.expiresAt === "number") {
      return { token: stored.token, refreshToken: stored.refreshToken, expiresAt: stored.expiresAt, viewerId: stored.viewerId ?? "" };
    }
  } catch {
    // nothing stored
  }
  return null;
}

export function signedOut(reason?: string): QuanziError {
  return new QuanziError({
    code: reason === "account_banned" ? "FORBIDDEN" : "SIGNED_OUT",
    reason,
    message: reason === "account_banned" ? "account_banned" : "not signed in",
  });
}

function wxLogin(platform: Wx): Promise<string> {
  return new Promise((resolve, reject) => {
    platform.login({
      success: (result) =>
        result.code
          ? resolve(result.code)
          : reject(new QuanziError({ code: "WECHAT_LOGIN_FAILED", message: "wx.login gave no code" })),
      fail: (error) => reject(new QuanziError({ code: "WECHAT_LOGIN_FAILED", message: error.errMsg })),
    });
  });
}
