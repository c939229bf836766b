"""The personalised feed: datasets from interactions, LightFM training and evaluation against
a popularity baseline, a model registry, and serving precomputed candidates."""
