"""The GraphQL API: types, resolvers, dataloaders, auth context and the Starlette app."""
