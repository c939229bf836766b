// graphql-codegen's client preset over the member-facing contract (tests/contract/, kept equal
// to ../shared/contract by tests/unit/test_schema.py) and the SDK's own operations: typed
// documents as plain strings (documentMode "string", so no `graphql` at run time), each with
// the sha256 of its text (automatic persisted queries) and persisted-documents.json for the
// server's allow-list.
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: process.env.MINIPROGRAM_SCHEMA ?? "../../schema.graphql",
  documents: [
    "../../tests/contract/app.graphql",
    "../../tests/contract/wave2/member-loop.graphql",
    "src/operations/*.graphql",
  ],
  generates: {
    "src/gql/": {
      preset: "client",
      presetConfig: {
        fragmentMasking: false,
        persistedDocuments: { mode: "embedHashInDocument", hashAlgorithm: "sha256" },
      },
      config: {
        documentMode: "string",
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
