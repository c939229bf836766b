from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class RecommenderModel(Model):
    """One trained model: its artefact on disk, the data it saw and how it measured.
    Published models serve; the current one is the newest published."""

    id = fields.BigIntField(primary_key=True)
    version = fields.CharField(max_length=32, unique=True)
    path = fields.CharField(max_length=512)
    trained_at = fields.DatetimeField(auto_now_add=True)
    interactions = fields.IntField()
    users = fields.IntField()
    items = fields.IntField()
    metrics: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    baseline: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    published = fields.BooleanField(default=False)
    current = fields.BooleanField(default=False)
    seconds = fields.FloatField(default=0)

    class Meta:
        table = "recommender_models"
