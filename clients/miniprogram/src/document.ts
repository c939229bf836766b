// Typed documents as graphql-codegen writes them in string mode (TypedDocumentString): the
// text, the result and variables types, and `__meta__.hash` (the id the allow-list knows).
import { sha256 } from "./sha256.js";

/** Any typed document: codegen's TypedDocumentString, or a string cast to it. */
export interface TypedDocument<TResult, TVariables> {
  __apiType?: (variables: TVariables) => TResult;
  toString(): string;
  __meta__?: Record<string, unknown>;
}

export type ResultOf<D> = D extends TypedDocument<infer R, unknown> ? R : never;
export type VariablesOf<D> = D extends TypedDocument<unknown, infer V> ? V : never;

export type OperationKind = "query" | "mutation" | "subscription";

export interface Operation {
  text: string;
  kind: OperationKind;
  name?: string;
  /** sha256 of the text (automatic persisted queries) */
  hash: string;
  /** the id to send in allow-list mode: codegen's registered hash, else the sha256 */
  id: string;
}

const seen = new Map<string, Operation>();

/** The operation a document holds: its kind and name found outside fragments. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function operationOf(document: TypedDocument<any, any>): Operation {
  const text = document.toString();
  const known = seen.get(text);
  if (known) return known;
  let kind: OperationKind = "query";
  let name: string | undefined;
  let depth = 0;
  const tokens = text.match(/#[^\n]*|"(?:\\.|[^"\\])*"|[{}]|[_A-Za-z][_0-9A-Za-z]*/g) ?? [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token === "{") depth++;
    else if (token === "}") depth--;
    else if (depth === 0 && (token === "query" || token === "mutation" || token === "subscription")) {
      kind = token;
      const next = tokens[i + 1];
      name = next && /^[_A-Za-z]/.test(next) ? next : undefined;
      break;
    }
  }
  const hash = sha256(text);
  const registered = document.__meta__?.hash;
  const id = typeof registered === "string" ? registered.replace(/^sha256:/, "") : hash;
  const operation: Operation = { text, kind, name, hash, id };
  seen.set(text, operation);
  return operation;
}
