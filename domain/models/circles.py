from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from domain.models.users import User


class JoinPolicy(StrEnum):
    OPEN = "OPEN"  # members join at once
    APPROVAL = "APPROVAL"  # a circle admin or an operator approves each request


class CircleRole(StrEnum):
    MEMBER = "MEMBER"
    ADMIN = "ADMIN"


class MembershipStatus(StrEnum):
    ACTIVE = "ACTIVE"
    PENDING = "PENDING"


class Circle(Model):
    id = fields.BigIntField(primary_key=True)
    name = fields.CharField(max_length=30, unique=True)
    description = fields.CharField(max_length=200, default="")
    join_policy = fields.CharEnumField(JoinPolicy, max_length=16, default=JoinPolicy.OPEN)
    creator: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="created_circles", on_delete=fields.RESTRICT
    )
    member_count = fields.IntField(default=0)
    post_count = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "circles"


class CircleMember(Model):
    id = fields.BigIntField(primary_key=True)
    circle: fields.ForeignKeyRelation[Circle] = fields.ForeignKeyField(
        "models.Circle", related_name="memberships", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="circle_memberships", on_delete=fields.CASCADE
    )
    role = fields.CharEnumField(CircleRole, max_length=16, default=CircleRole.MEMBER)
    status = fields.CharEnumField(MembershipStatus, max_length=16, default=MembershipStatus.ACTIVE)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "circle_members"
        unique_together = (("circle", "user"),)
        indexes = (
            Index(fields=("circle_id", "status", "created_at"), name="circle_members_status_idx"),
        )
