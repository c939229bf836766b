// Watching what a client sends: a fetch that records each request and its answer, and a
// plain POST as a `wx.request` client would send it.
import { createHash } from "node:crypto";

export interface Exchange {
  method: string;
  url: URL;
  /** the JSON body of a POST; for a GET, the query string's fields */
  sent: Record<string, unknown>;
  status: number;
  headers: Headers;
}

export interface Recorder {
  fetch: typeof fetch;
  exchanges: Exchange[];
}

export function recordingFetch(): Recorder {
  const exchanges: Exchange[] = [];
  const recording: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    let sent: Record<string, unknown> = {};
    if (request.method === "POST") {
      sent = (await request.clone().json()) as Record<string, unknown>;
    } else {
      for (const [key, value] of url.searchParams) {
        sent[key] = key === "query" || key === "operationName" ? value : JSON.parse(value);
      }
    }
    const response = await fetch(request);
    exchanges.push({ method: request.method, url, sent, status: response.status, headers: response.headers });
    return response;
  };
  return { fetch: recording, exchanges };
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

export interface GraphQLAnswer {
  status: number;
  headers: Headers;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
  };
}

/** One POST to /graphql with a JSON body, as `wx.request` sends it. */
export async function post(
  url: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GraphQLAnswer> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLAnswer["body"] };
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

export function codes(answer: GraphQLAnswer): unknown[] {
  return (answer.body.errors ?? []).map((e) => e.extensions?.code);
}
