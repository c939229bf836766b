from tortoise import migrations
from tortoise.migrations import operations as ops
from domain.models.moderation import ReportReason, ReviewSource, ReviewStage
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

SOURCES = "WORD: WORD\nWECHAT: WECHAT\nREPORT: REPORT\nAPPEAL: APPEAL\nMANUAL: MANUAL"


class Migration(migrations.Migration):
    dependencies = [("models", "0012_share_counted")]

    initial = False

    operations = [
        ops.CreateModel(
            name="ReviewDecision",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "task",
                    fields.ForeignKeyField(
                        "models.ReviewTask",
                        source_field="task_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="decisions",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "stage",
                    fields.CharEnumField(
                        description="FIRST: FIRST\nSECOND: SECOND\nFINAL: FINAL",
                        enum_type=ReviewStage,
                        max_length=8,
                    ),
                ),
                ("decision", fields.CharField(max_length=8)),
                (
                    "violation",
                    fields.CharEnumField(
                        null=True,
                        description="SPAM: SPAM\nABUSE: ABUSE\nPORN: PORN\nPOLITICS: POLITICS\nILLEGAL: ILLEGAL\nFRAUD: FRAUD\nOTHER: OTHER",
                        enum_type=ReportReason,
                        max_length=16,
                    ),
                ),
                ("note", fields.CharField(default="", max_length=500)),
                (
                    "actor",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="actor_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="review_decisions",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("stage_entered_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("decided_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "review_decisions",
                "app": "models",
                "indexes": [
                    Index(fields=["task_id", "id"], name="review_decisions_task_idx"),
                    Index(fields=["decided_at", "id"], name="review_decisions_time_idx"),
                ],
                "pk_attr": "id",
                "table_description": "One decision taken on a review task, at the stage it was taken: the task's history and",
            },
            bases=["Model"],
        ),
        ops.AddIndex(
            model_name="Answer",
            index=Index(fields=["author_id", "status", "created_at"], name="answers_author_idx"),
        ),
        ops.AddIndex(
            model_name="Comment",
            index=Index(fields=["author_id", "status", "created_at"], name="comments_author_idx"),
        ),
        ops.AddIndex(
            model_name="ModerationAction",
            index=Index(
                fields=["actor_id", "created_at", "id"], name="moderation_actions_actor_idx"
            ),
        ),
        ops.AddIndex(
            model_name="ModerationAction",
            index=Index(
                fields=["action", "created_at", "id"], name="moderation_actions_action_idx"
            ),
        ),
        ops.AddIndex(
            model_name="ModerationAction",
            index=Index(
                fields=["target_type", "target_id", "created_at"],
                name="moderation_actions_target_idx",
            ),
        ),
        ops.AddIndex(
            model_name="ModerationAction",
            index=Index(
                fields=["target_type", "created_at", "id"], name="moderation_actions_type_idx"
            ),
        ),
        ops.AddIndex(
            model_name="Report",
            index=Index(fields=["task_id", "reason"], name="reports_task_idx"),
        ),
        ops.AddIndex(
            model_name="Report",
            index=Index(fields=["target_type", "target_id"], name="reports_target_idx"),
        ),
        ops.RemoveIndex(
            model_name="ReviewTask",
            name="review_tasks_queue_idx",
            fields=None,
        ),
        ops.AddField(
            model_name="ReviewTask",
            name="claim_expires_at",
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name="ReviewTask",
            name="claimed_by",
            field=fields.ForeignKeyField(
                "models.User",
                source_field="claimed_by_id",
                null=True,
                db_constraint=True,
                to_field="id",
                related_name="review_claims",
                on_delete=OnDelete.SET_NULL,
            ),
        ),
        # Added nullable, filled in for the tasks already there, then made NOT NULL.
        ops.AddField(
            model_name="ReviewTask",
            name="source",
            field=fields.CharEnumField(
                null=True,
                default=ReviewSource.WORD,
                description=SOURCES,
                enum_type=ReviewSource,
                max_length=8,
            ),
        ),
        ops.AddField(
            model_name="ReviewTask",
            name="stage_entered_at",
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=True),
        ),
        # Defaults for raw INSERTs (review.open_task sets both anyway). What opened each
        # existing task, as its first reason says; a task past FIRST entered its stage at its
        # last update at the latest.
        ops.RunSQL(
            "ALTER TABLE review_tasks ALTER COLUMN source SET DEFAULT 'WORD', "
            "ALTER COLUMN stage_entered_at SET DEFAULT now(); "
            "UPDATE review_tasks SET source = CASE WHEN appeal THEN 'APPEAL' "
            "WHEN reasons->>0 LIKE '举报：%' THEN 'REPORT' "
            "WHEN reasons->>0 LIKE '微信内容安全%' THEN 'WECHAT' ELSE 'WORD' END, "
            "stage_entered_at = CASE WHEN stage = 'FIRST' OR appeal THEN created_at "
            "ELSE updated_at END",
            reverse_sql="SELECT 1",
        ),
        ops.AlterField(
            model_name="ReviewTask",
            name="source",
            field=fields.CharEnumField(
                default=ReviewSource.WORD, description=SOURCES, enum_type=ReviewSource, max_length=8
            ),
        ),
        ops.AlterField(
            model_name="ReviewTask",
            name="stage_entered_at",
            field=fields.DatetimeField(auto_now=False, auto_now_add=True),
        ),
        ops.AddIndex(
            model_name="ReviewTask",
            index=Index(
                fields=["status", "stage", "stage_entered_at", "id"],
                name="review_tasks_stage_queue_idx",
            ),
        ),
        ops.AddIndex(
            model_name="ReviewTask",
            index=Index(fields=["created_at", "id"], name="review_tasks_created_idx"),
        ),
        ops.AddIndex(
            model_name="ReviewTask",
            index=Index(fields=["closed_at"], name="review_tasks_closed_idx"),
        ),
        ops.AddIndex(
            model_name="Sanction",
            index=Index(fields=["created_at", "id"], name="sanctions_time_idx"),
        ),
        # Nullable first, then zero for the words already there (and as the column's default,
        # for raw INSERTs), then NOT NULL.
        ops.AddField(
            model_name="SensitiveWord",
            name="hit_count",
            field=fields.IntField(null=True, default=0),
        ),
        ops.RunSQL(
            "ALTER TABLE sensitive_words ALTER COLUMN hit_count SET DEFAULT 0; "
            "UPDATE sensitive_words SET hit_count = 0",
            reverse_sql="SELECT 1",
        ),
        ops.AlterField(
            model_name="SensitiveWord",
            name="hit_count",
            field=fields.IntField(default=0),
        ),
        ops.AddField(
            model_name="SensitiveWord",
            name="last_hit_at",
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddIndex(
            model_name="SensitiveWord",
            index=Index(fields=["created_at", "id"], name="sensitive_words_list_idx"),
        ),
        ops.AddIndex(
            model_name="SensitiveWord",
            index=Index(fields=["level", "created_at", "id"], name="sensitive_words_level_idx"),
        ),
        # Members waiting to join a circle, counted on the console's home page.
        ops.RunSQL(
            "CREATE INDEX circle_members_pending_idx ON circle_members (circle_id) "
            "WHERE status = 'PENDING'",
            reverse_sql="DROP INDEX circle_members_pending_idx",
        ),
        # Active sanctions (not lifted), newest first: the console's list of sanctions in force.
        ops.RunSQL(
            "CREATE INDEX sanctions_unlifted_idx ON sanctions (created_at, id) WHERE lifted_at IS NULL",
            reverse_sql="DROP INDEX sanctions_unlifted_idx",
        ),
    ]
