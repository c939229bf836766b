"""Rules of the community: models and the services that change them. No GraphQL here."""
