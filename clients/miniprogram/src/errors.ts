// One error type for everything the SDK reports: the server's GraphQL errors (code, field,
// retryAfter, reason) and the client's own (NETWORK_ERROR, TIMEOUT, SIGNED_OUT…), with the
// request id to find the request in the server's logs.

/** An error as the server writes it (`extensions.code` and friends, see api/errors.py). */
export interface GraphQLErrorShape {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: { code?: string; field?: string; retryAfter?: number; reason?: string; requestId?: string; [key: string]: unknown };
}

/** Codes the client gives errors that never reached the server's GraphQL layer. */
export type ClientErrorCode =
  | "NETWORK_ERROR" // wx.request / uploadFile failed (no answer)
  | "TIMEOUT" // no answer within the timeout
  | "BAD_RESPONSE" // an answer that is not the GraphQL shape
  | "SIGNED_OUT" // the operation needs a member and nobody is signed in (or signing in again failed)
  | "WECHAT_LOGIN_FAILED" // wx.login gave no code
  | "SUBSCRIBE_MESSAGE_FAILED" // wx.requestSubscribeMessage failed
  | "SOCKET_CLOSED"; // the live socket closed for good

export interface QuanziErrorInit {
  code: string;
  message: string;
  field?: string;
  retryAfter?: number;
  reason?: string;
  requestId?: string;
  status?: number;
  errors?: GraphQLErrorShape[];
  data?: unknown;
}

export class QuanziError extends Error {
  /** `extensions.code` of the first error (UNAUTHENTICATED, RATE_LIMITED…) or a ClientErrorCode */
  readonly code: string;
  /** the input field at fault (BAD_USER_INPUT, CONTENT_REJECTED…) */
  readonly field?: string;
  /** seconds to wait (RATE_LIMITED) */
  readonly retryAfter?: number;
  /** why a token was refused: token_expired, token_invalid, session_revoked, account_banned… */
  readonly reason?: string;
  /** the request's X-Request-ID (the server logs it), or the error's own requestId */
  readonly requestId?: string;
  /** the HTTP status, when there was an answer */
  readonly status?: number;
  /** every error of the answer, as sent */
  readonly errors: GraphQLErrorShape[];
  /** what the answer held besides the errors (a partial result), if anything */
  readonly data?: unknown;

  constructor(init: QuanziErrorInit) {
    super(init.message);
    this.name = "QuanziError";
    this.code = init.code;
    this.field = init.field;
    this.retryAfter = init.retryAfter;
    this.reason = init.reason;
    this.requestId = init.requestId;
    this.status = init.status;
    this.errors = init.errors ?? [];
    this.data = init.data;
  }
}

/** The error for an answer's `errors` (the first one names the code). */
export function fromGraphQLErrors(
  errors: GraphQLErrorShape[],
  extra: { requestId?: string; status?: number; data?: unknown; retryAfterHeader?: string } = {},
): QuanziError {
  const first = errors[0] ?? { message: "unknown error" };
  const ext = first.extensions ?? {};
  const header = extra.retryAfterHeader ? Number(extra.retryAfterHeader) : undefined;
  return new QuanziError({
    code: typeof ext.code === "string" ? ext.code : "INTERNAL_SERVER_ERROR",
    message: first.message,
    field: ext.field,
    retryAfter: typeof ext.retryAfter === "number" ? ext.retryAfter : header !== undefined && !isNaN(header) ? header : undefined,
    reason: ext.reason,
    requestId: ext.requestId ?? extra.requestId,
    status: extra.status,
    errors,
    data: extra.data,
  });
}

export function isQuanziError(error: unknown, code?: string): error is QuanziError {
  return error instanceof QuanziError && (code === undefined || error.code === code);
}
