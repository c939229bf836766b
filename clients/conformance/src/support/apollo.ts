// Apollo Client as an app sets it up: HttpLink at the end of the chain, an InMemoryCache
// whose feeds merge pages with relayStylePagination.
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from "@apollo/client";
import { relayStylePagination } from "@apollo/client/utilities";

export function appCache(): InMemoryCache {
  return new InMemoryCache({
    typePolicies: {
      Query: { fields: { feed: relayStylePagination(["kind"]) } },
    },
  });
}

export interface ClientOptions {
  token?: string;
  fetch?: typeof fetch;
  /** links before the HttpLink (persisted queries, errors, auth) */
  links?: ApolloLink[];
  cache?: InMemoryCache;
}

export function httpClient(uri: string, options: ClientOptions = {}): ApolloClient {
  const http = new HttpLink({
    uri,
    fetch: options.fetch ?? fetch,
    headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
  });
  return new ApolloClient({
    link: ApolloLink.from([...(options.links ?? []), http]),
    cache: options.cache ?? appCache(),
  });
}
