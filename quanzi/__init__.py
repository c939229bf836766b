"""Quanzi (圈子): the backend of a mobile mini-community."""

__version__ = "0.1.0"
