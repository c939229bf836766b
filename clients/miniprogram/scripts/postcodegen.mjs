// After graphql-codegen: each typed document carries, as its text, exactly the body that
// persisted-documents.json registers under its hash (compact, and sha256(text) === hash, as
// the server checks for automatic persisted queries and the allow-list); the documents are
// marked pure so that a bundler keeps only those a page imports; and the one type codegen
// imports from @graphql-typed-document-node/core is declared in place (no dependency).
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";

const file = new URL("../src/gql/graphql.ts", import.meta.url);
const manifest = JSON.parse(readFileSync(new URL("../src/gql/persisted-documents.json", import.meta.url), "utf8"));
let source = readFileSync(file, "utf8");

const imported = "import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';";
if (!source.includes(imported)) throw new Error("codegen's output changed: no DocumentTypeDecoration import");
source = source.replace(
  imported,
  "/** What @graphql-typed-document-node/core declares: the result and variables a document types. */\n" +
    "export interface DocumentTypeDecoration<TResult, TVariables> {\n" +
    "  __apiType?: (variables: TVariables) => TResult;\n}",
);

let replaced = 0;
source = source.replace(
  /new TypedDocumentString\(`[^`]*`, (\{"hash":"sha256:([0-9a-f]{64})"\})\)/g,
  (_all, meta, hash) => {
    const text = manifest[`sha256:${hash}`];
    if (typeof text !== "string") throw new Error(`sha256:${hash} is not in persisted-documents.json`);
    if (createHash("sha256").update(text).digest("hex") !== hash) throw new Error(`sha256:${hash} is not the hash of its body`);
    if (/[`\\]|\$\{/.test(text)) throw new Error(`sha256:${hash}: its text needs escaping`);
    replaced += 1;
    return `new TypedDocumentString(\`${text}\`, ${meta})`;
  },
);
if (replaced !== Object.keys(manifest).length) {
  throw new Error(`${replaced} documents rewritten, ${Object.keys(manifest).length} in the manifest`);
}
source = source.replace(/= new TypedDocumentString\(/g, "= /* @__PURE__ */ new TypedDocumentString(");
writeFileSync(file, source);
console.log(`postcodegen: ${replaced} operations carry their registered text and hash`);
