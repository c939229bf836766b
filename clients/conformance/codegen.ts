// graphql-codegen's client preset over the contract's operations and the suite's own, typed
// strictly: every scalar mapped (strictScalars), documents as TypedDocumentNode, and the
// persisted-documents.json a build registers in the server's allow-list.
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  // CONFORMANCE_SCHEMA: another schema file to type against (the repository's by default).
  schema: process.env.CONFORMANCE_SCHEMA ?? "../../schema.graphql",
  // tests/contract holds the client contract (kept equal to ../shared/contract by
  // tests/unit/test_schema.py), so the whole contract is typed on a fresh clone too.
  documents: ["../../tests/contract/*.graphql", "src/operations/*.graphql"],
  generates: {
    "src/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false, persistedDocuments: true },
      config: {
        strictScalars: true,
        scalars: { DateTime: "string", Date: "string" },
        enumsAsTypes: true,
        useTypeImports: true,
        emitLegacyCommonJSImports: false,
      },
    },
  },
  errorsOnly: true,
};

export default config;
