from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from domain.models.moderation import (
    ReportReason,
    ReportStatus,
    ReviewStage,
    ReviewStatus,
    SanctionKind,
    TargetType,
    WordLevel,
)
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [("models", "0003_circles_qa_polls_search")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Collection",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("title", fields.CharField(max_length=60)),
                ("description", fields.CharField(default="", max_length=500)),
                ("cover_url", fields.CharField(default="", max_length=512)),
                (
                    "created_by",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="created_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="collections",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "collections",
                "app": "models",
                "pk_attr": "id",
                "table_description": "A curated collection (专题) of posts.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="CollectionItem",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "collection",
                    fields.ForeignKeyField(
                        "models.Collection",
                        source_field="collection_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="items",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "post",
                    fields.ForeignKeyField(
                        "models.Post",
                        source_field="post_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="collection_items",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("position", fields.IntField()),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "collection_items",
                "app": "models",
                "unique_together": (("collection", "post"),),
                "indexes": [
                    Index(fields=["collection_id", "position"], name="collection_items_order_idx")
                ],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ModerationAction",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "actor",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="actor_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="moderation_actions",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("action", fields.CharField(max_length=32)),
                ("target_type", fields.CharField(max_length=16)),
                ("target_id", fields.BigIntField(null=True)),
                ("note", fields.CharField(default="", max_length=500)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "moderation_actions",
                "app": "models",
                "indexes": [Index(fields=["created_at", "id"], name="moderation_actions_time_idx")],
                "pk_attr": "id",
                "table_description": "The moderation log: who did what to which target, and why. Append-only.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ReviewTask",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "target_type",
                    fields.CharEnumField(
                        description="POST: POST\nCOMMENT: COMMENT\nANSWER: ANSWER\nUSER: USER",
                        enum_type=TargetType,
                        max_length=8,
                    ),
                ),
                ("target_id", fields.BigIntField()),
                (
                    "stage",
                    fields.CharEnumField(
                        default=ReviewStage.FIRST,
                        description="FIRST: FIRST\nSECOND: SECOND\nFINAL: FINAL",
                        enum_type=ReviewStage,
                        max_length=8,
                    ),
                ),
                (
                    "status",
                    fields.CharEnumField(
                        default=ReviewStatus.OPEN,
                        description="OPEN: OPEN\nAPPROVED: APPROVED\nREJECTED: REJECTED",
                        enum_type=ReviewStatus,
                        max_length=8,
                    ),
                ),
                (
                    "reasons",
                    fields.JSONField(
                        default=list,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("report_count", fields.IntField(default=0)),
                (
                    "first_reviewer",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="first_reviewer_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="first_reviews",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("appeal", fields.BooleanField(default=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ("closed_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "review_tasks",
                "app": "models",
                "indexes": [
                    Index(
                        fields=["status", "stage", "created_at", "id"],
                        name="review_tasks_queue_idx",
                    ),
                    Index(fields=["target_type", "target_id"], name="review_tasks_target_idx"),
                ],
                "pk_attr": "id",
                "table_description": "One piece of content (or member) under review; at most one OPEN task per target.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Report",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "reporter",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="reporter_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="reports",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "target_type",
                    fields.CharEnumField(
                        description="POST: POST\nCOMMENT: COMMENT\nANSWER: ANSWER\nUSER: USER",
                        enum_type=TargetType,
                        max_length=8,
                    ),
                ),
                ("target_id", fields.BigIntField()),
                (
                    "reason",
                    fields.CharEnumField(
                        description="SPAM: SPAM\nABUSE: ABUSE\nPORN: PORN\nPOLITICS: POLITICS\nILLEGAL: ILLEGAL\nFRAUD: FRAUD\nOTHER: OTHER",
                        enum_type=ReportReason,
                        max_length=16,
                    ),
                ),
                ("detail", fields.CharField(default="", max_length=500)),
                (
                    "status",
                    fields.CharEnumField(
                        default=ReportStatus.PENDING,
                        description="PENDING: PENDING\nRESOLVED: RESOLVED",
                        enum_type=ReportStatus,
                        max_length=8,
                    ),
                ),
                (
                    "task",
                    fields.ForeignKeyField(
                        "models.ReviewTask",
                        source_field="task_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="reports",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "reports",
                "app": "models",
                "unique_together": (("reporter", "target_type", "target_id"),),
                "indexes": [Index(fields=["created_at"], name="reports_created_idx")],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Sanction",
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
                        related_name="sanctions",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "kind",
                    fields.CharEnumField(
                        description="MUTE: MUTE\nBAN: BAN", enum_type=SanctionKind, max_length=8
                    ),
                ),
                ("until", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("reason", fields.CharField(max_length=500)),
                (
                    "actor",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="actor_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="sanctions_given",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("lifted_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "sanctions",
                "app": "models",
                "indexes": [Index(fields=["user_id", "kind"], name="sanctions_user_idx")],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="SensitiveWord",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("word", fields.CharField(unique=True, max_length=64)),
                (
                    "level",
                    fields.CharEnumField(
                        description="BLOCK: BLOCK\nREVIEW: REVIEW",
                        enum_type=WordLevel,
                        max_length=8,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={"table": "sensitive_words", "app": "models", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.AddField(
            model_name="Post",
            name="feature_reason",
            field=fields.CharField(default="", max_length=200),
        ),
        ops.AddField(
            model_name="Post",
            name="featured_at",
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name="Post",
            name="pin_scope",
            field=fields.CharField(null=True, max_length=8),
        ),
        ops.AddField(
            model_name="Post",
            name="pinned_at",
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name="Post",
            name="pinned_until",
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddIndex(
            model_name="Post",
            index=Index(fields=["featured_at", "id"], name="posts_featured_idx"),
        ),
        ops.AddIndex(
            model_name="Post",
            index=Index(fields=["pin_scope", "pinned_at"], name="posts_pinned_idx"),
        ),
        ops.RunSQL(
            "CREATE UNIQUE INDEX review_tasks_one_open ON review_tasks (target_type, target_id) "
            "WHERE status = 'OPEN'",
            reverse_sql="DROP INDEX review_tasks_one_open",
        ),
    ]
