// One GraphQL operation over wx.request: automatic persisted queries (the hash first, the
// text only when the server answers PERSISTED_QUERY_NOT_FOUND), the allow-list (the id only)
// or plain text; Accept-Language, an X-Request-ID of the client's, a timeout, and one retry
// when no answer came, for queries and for mutations that carry an idempotency key.
import type { Operation } from "./document.js";
import { type GraphQLErrorShape, QuanziError } from "./errors.js";
import { headerOf, type Wx } from "./wx.js";

export type PersistedMode = "auto" | "allowlist" | "off";

export interface Answer {
  status: number;
  data?: Record<string, unknown> | null;
  errors?: GraphQLErrorShape[];
  requestId?: string;
  retryAfter?: string;
}

export interface TransportOptions {
  platform: Wx;
  endpoint: string;
  persisted: PersistedMode;
  timeout: number;
  language: () => string;
  /** ms before the one retry of a request that got no answer */
  retryDelay: number;
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let counter = 0;
export function requestId(): string {
  counter = (counter + 1) % 1e6;
  return `mp-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e9).toString(36)}-${counter}`;
}

export class Transport {
  /** hashes the server would not keep (a miss after the text was sent): text first next time */
  private readonly unkept = new Set<string>();
  private readonly textSent = new Set<string>();

  constructor(private readonly options: TransportOptions) {}

  async execute(operation: Operation, variables: unknown, token: string | null, timeout?: number): Promise<Answer> {
    const { persisted } = this.options;
    const body: Record<string, unknown> = { variables: variables ?? {} };
    if (operation.name) body.operationName = operation.name;
    if (persisted === "off") return this.post({ ...body, query: operation.text }, operation, variables, token, timeout);
    const hash = persisted === "allowlist" ? operation.id : operation.hash;
    body.extensions = { persistedQuery: { version: 1, sha256Hash: hash } };
    if (persisted === "allowlist") return this.post(body, operation, variables, token, timeout);
    if (this.unkept.has(hash)) return this.post({ ...body, query: operation.text }, operation, variables, token, timeout);
    const first = await this.post(body, operation, variables, token, timeout);
    if (!missed(first)) return first;
    // A second miss for text already sent: the server does not keep it (too large, or over
    // its quota for new documents); send the text at once from now on.
    if (this.textSent.has(hash)) this.unkept.add(hash);
    this.textSent.add(hash);
    return this.post({ ...body, query: operation.text }, operation, variables, token, timeout);
  }

  private async post(
    body: Record<string, unknown>,
    operation: Operation,
    variables: unknown,
    token: string | null,
    timeout?: number,
  ): Promise<Answer> {
    const retryable =
      operation.kind === "query" ||
      (typeof variables === "object" && variables !== null && "idempotencyKey" in variables && !!(variables as { idempotencyKey?: unknown }).idempotencyKey);
    try {
      return await this.once(body, token, timeout);
    } catch (error) {
      if (!retryable || !(error instanceof QuanziError) || (error.code !== "NETWORK_ERROR" && error.code !== "TIMEOUT")) throw error;
      await delay(this.options.retryDelay);
      return this.once(body, token, timeout);
    }
  }

  private once(body: Record<string, unknown>, token: string | null, timeout?: number): Promise<Answer> {
    const { platform, endpoint } = this.options;
    const id = requestId();
    const header: Record<string, string> = {
      "Content-Type": "application/json",
      "Accept-Language": this.options.language(),
      "X-Request-ID": id,
    };
    if (token) header.Authorization = `Bearer ${token}`;
    return new Promise<Answer>((resolve, reject) => {
      platform.request({
        url: endpoint,
        method: "POST",
        data: body,
        header,
        dataType: "json",
        timeout: timeout ?? this.options.timeout,
        success: (result) => {
          let data = result.data;
          if (typeof data === "string") {
            try {
              data = JSON.parse(data);
            } catch {
              data = undefined;
            }
          }
          const requestId = headerOf(result.header, "X-Request-ID") ?? id;
          if (typeof data !== "object" || data === null || (!("data" in data) && !("errors" in data))) {
            reject(
              new QuanziError({
                code: "BAD_RESPONSE",
                message: `HTTP ${result.statusCode}: not a GraphQL answer`,
                status: result.statusCode,
                requestId,
              }),
            );
            return;
          }
          const answer = data as { data?: Record<string, unknown> | null; errors?: GraphQLErrorShape[] };
          resolve({
            status: result.statusCode,
            data: answer.data,
            errors: answer.errors,
            requestId,
            retryAfter: headerOf(result.header, "Retry-After"),
          });
        },
        fail: (error) => {
          const timedOut = /timeout|timed out/i.test(error.errMsg);
          reject(
            new QuanziError({
              code: timedOut ? "TIMEOUT" : "NETWORK_ERROR",
              message: error.errMsg,
              requestId: id,
            }),
          );
        },
      });
    });
  }
}

export function firstCode(answer: Answer): string | undefined {
  const code = answer.errors?.[0]?.extensions?.code;
  return typeof code === "string" ? code : undefined;
}

function missed(answer: Answer): boolean {
  return firstCode(answer) === "PERSISTED_QUERY_NOT_FOUND";
}
