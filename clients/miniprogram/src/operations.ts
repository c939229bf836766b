// Every operation of the contract, typed (graphql-codegen's documents, each carrying the text
// the server's allow-list registers and its sha256), with their result and variables types.
export * from "./gql/graphql.js";
