// Apollo's persisted-query manifest from codegen's persisted documents (the pairing both
// tools document): every operation as Apollo Client sends it, __typename added.
const {
  fromGraphQLCodegenPersistedDocuments,
} = require("@apollo/generate-persisted-query-manifest");

module.exports = {
  documents: fromGraphQLCodegenPersistedDocuments("./src/gql/persisted-documents.json"),
  output: "persisted-query-manifest.json",
};
