from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index
from domain.models.notifications import NotificationKind


class Migration(migrations.Migration):
    dependencies = [("models", "0013_console_moderation")]

    initial = False

    operations = [
        # Comments on answers: `answer` set, `post` the answer's question.
        ops.AddField(
            model_name="Comment",
            name="answer",
            field=fields.ForeignKeyField(
                "models.Answer",
                source_field="answer_id",
                null=True,
                db_constraint=True,
                to_field="id",
                related_name="comments",
                on_delete=OnDelete.CASCADE,
            ),
        ),
        ops.AddIndex(
            model_name="Comment",
            index=Index(
                fields=["answer_id", "root_id", "status", "created_at", "id"],
                name="comments_answer_idx",
            ),
        ),
        ops.AddField(
            model_name="Answer",
            name="comment_count",
            field=fields.IntField(null=True, default=0),
        ),
        ops.RunSQL(
            "ALTER TABLE answers ALTER COLUMN comment_count SET DEFAULT 0; "
            "UPDATE answers SET comment_count = 0",
            reverse_sql="SELECT 1",
        ),
        ops.AlterField(
            model_name="Answer",
            name="comment_count",
            field=fields.IntField(default=0),
        ),
        ops.AlterField(
            model_name="Notification",
            name="kind",
            field=fields.CharEnumField(
                description="COMMENT: COMMENT\nREPLY: REPLY\nLIKE: LIKE\nFOLLOW: FOLLOW\nANSWER: ANSWER\n"
                "ANSWER_ACCEPTED: ANSWER_ACCEPTED\nREVIEW_APPROVED: REVIEW_APPROVED\n"
                "REVIEW_REJECTED: REVIEW_REJECTED\nFEATURED: FEATURED\nBADGE: BADGE\n"
                "EVENT_REMINDER: EVENT_REMINDER\nFEEDBACK_REPLY: FEEDBACK_REPLY\n"
                "ANSWER_COMMENT: ANSWER_COMMENT",
                enum_type=NotificationKind,
                max_length=16,
            ),
        ),
    ]
