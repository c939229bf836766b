"""Tortoise models, one module per feature; this package is the Tortoise app `models`."""

from quanzi.domain.models.auth import RefreshToken
from quanzi.domain.models.users import Role, User

__all__ = ["RefreshToken", "Role", "User"]
