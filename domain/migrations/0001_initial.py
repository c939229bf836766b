from tortoise import migrations
from tortoise.migrations import operations as ops
from domain.models.users import Role
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="User",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("openid", fields.CharField(unique=True, max_length=64)),
                ("unionid", fields.CharField(null=True, unique=True, max_length=64)),
                ("nickname", fields.CharField(max_length=20)),
                ("avatar_url", fields.CharField(default="", max_length=512)),
                ("bio", fields.CharField(default="", max_length=200)),
                (
                    "role",
                    fields.CharEnumField(
                        default=Role.MEMBER,
                        description="MEMBER: MEMBER\nMODERATOR: MODERATOR\nOPERATOR: OPERATOR\nADMIN: ADMIN",
                        enum_type=Role,
                        max_length=16,
                    ),
                ),
                ("invite_code", fields.CharField(unique=True, max_length=16)),
                (
                    "invited_by",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="invited_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="invitees",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("signup_share_token", fields.CharField(null=True, max_length=64)),
                ("points", fields.IntField(default=0)),
                ("follower_count", fields.IntField(default=0)),
                ("following_count", fields.IntField(default=0)),
                ("post_count", fields.IntField(default=0)),
                ("invited_count", fields.IntField(default=0)),
                (
                    "muted_until",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                (
                    "banned_until",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                (
                    "last_login_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
            ],
            options={
                "table": "users",
                "app": "models",
                "indexes": [Index(fields=["created_at", "id"], name="users_created_idx")],
                "pk_attr": "id",
                "table_description": "A member. Counters are denormalised and kept in step by the services that change them.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="RefreshToken",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "user",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="refresh_tokens",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("family", fields.UUIDField(db_index=True)),
                ("token_hash", fields.CharField(unique=True, max_length=64)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("expires_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("used_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("revoked_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "refresh_tokens",
                "app": "models",
                "pk_attr": "id",
                "table_description": "One issued refresh token. Only its hash is kept; a family is one sign-in's chain.",
            },
            bases=["Model"],
        ),
    ]
