// graphql-ws on Node: the `ws` WebSocket, counted (how many sockets the client opened, how
// many binary frames it got) and optionally sending headers with the upgrade request, as
// `wx.connectSocket({header})` does.
import WebSocket from "ws";

export interface SocketStats {
  opened: number;
  binaryFrames: number;
}

/** What graphql-ws's `webSocketImpl` constructs: `new impl(url, protocol)`. */
export type WebSocketClass = new (address: string | URL, protocols?: string | string[]) => WebSocket;

export function countedWebSocket(headers: Record<string, string> = {}): {
  impl: WebSocketClass;
  stats: SocketStats;
} {
  const stats: SocketStats = { opened: 0, binaryFrames: 0 };
  class Counted extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols, { headers });
      stats.opened += 1;
      this.on("message", (_data, isBinary) => {
        if (isBinary) stats.binaryFrames += 1;
      });
    }
  }
  return { impl: Counted, stats };
}

export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** `promise`, or a rejection naming `what` after `ms`. */
export function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** An Error for what graphql-ws hands a sink's `error`: a CloseEvent, an Event or errors. */
export function socketError(error: unknown): Error {
  if (error instanceof Error) return error;
  if (typeof error === "object" && error !== null && "code" in error) {
    const close = error as { code: number; reason?: string };
    return new Error(`the socket closed: ${close.code} ${close.reason ?? ""}`);
  }
  return new Error(`socket error: ${JSON.stringify(error)}`);
}
