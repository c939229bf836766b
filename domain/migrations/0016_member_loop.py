from tortoise import migrations
from tortoise.migrations import operations as ops
from domain.models.surveys import SurveyQuestionKind
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from domain.models.mall import CouponStatus, MallItemKind, RedemptionStatus
from domain.models.points import PointsReason
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index
from domain.models.notifications import NotificationKind


class Migration(migrations.Migration):
    dependencies = [("models", "0015_alerts")]

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
        ops.CreateModel(
            name="MallItem",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("title", fields.CharField(max_length=60)),
                ("description", fields.CharField(default="", max_length=500)),
                ("image_url", fields.CharField(default="", max_length=512)),
                (
                    "kind",
                    fields.CharEnumField(
                        description="VIRTUAL: VIRTUAL\nCOUPON: COUPON\nPHYSICAL: PHYSICAL",
                        enum_type=MallItemKind,
                        max_length=8,
                    ),
                ),
                ("price_points", fields.IntField()),
                ("stock", fields.IntField(null=True)),
                ("remaining", fields.IntField(null=True)),
                ("per_member_limit", fields.IntField(null=True)),
                ("min_level", fields.IntField(null=True)),
                ("active", fields.BooleanField(default=True)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "mall_items",
                "app": "models",
                "indexes": [Index(fields=["active", "id"], name="mall_items_shelf_idx")],
                "pk_attr": "id",
                "table_description": "`stock` is how many were put up and `remaining` how many are left (both null for",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="CouponCode",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "item",
                    fields.ForeignKeyField(
                        "models.MallItem",
                        source_field="item_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="codes",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("code", fields.CharField(max_length=64)),
                (
                    "status",
                    fields.CharEnumField(
                        default=CouponStatus.FREE,
                        description="FREE: FREE\nISSUED: ISSUED\nVOID: VOID",
                        enum_type=CouponStatus,
                        max_length=8,
                    ),
                ),
                ("redemption_id", fields.BigIntField(null=True)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "coupon_codes",
                "app": "models",
                "unique_together": (("item", "code"),),
                "indexes": [
                    Index(fields=["item_id", "status", "id"], name="coupon_codes_pool_idx")
                ],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Redemption",
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
                        related_name="redemptions",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "item",
                    fields.ForeignKeyField(
                        "models.MallItem",
                        source_field="item_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="redemptions",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("quantity", fields.IntField()),
                ("points_spent", fields.IntField()),
                (
                    "status",
                    fields.CharEnumField(
                        description="PENDING: PENDING\nFULFILLED: FULFILLED\nCANCELLED: CANCELLED",
                        enum_type=RedemptionStatus,
                        max_length=10,
                    ),
                ),
                ("idempotency_key", fields.CharField(max_length=64)),
                ("coupon_code", fields.CharField(null=True, max_length=64)),
                ("shipping_name", fields.CharField(null=True, max_length=40)),
                ("shipping_phone", fields.CharField(null=True, max_length=32)),
                ("shipping_address", fields.CharField(null=True, max_length=200)),
                ("tracking_number", fields.CharField(null=True, max_length=64)),
                ("cancel_reason", fields.CharField(null=True, max_length=200)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "redemptions",
                "app": "models",
                "unique_together": (("user", "idempotency_key"),),
                "indexes": [
                    Index(fields=["user_id", "created_at", "id"], name="redemptions_member_idx"),
                    Index(fields=["user_id", "item_id", "status"], name="redemptions_limit_idx"),
                    Index(fields=["status", "created_at", "id"], name="redemptions_queue_idx"),
                    Index(fields=["created_at", "id"], name="redemptions_all_idx"),
                ],
                "pk_attr": "id",
                "table_description": "One member's redemption, exactly once per (member, idempotency key).",
            },
            bases=["Model"],
        ),
        ops.AlterModelOptions(
            name="Comment",
            options={
                "table": "comments",
                "app": "models",
                "indexes": [
                    Index(
                        fields=["post_id", "root_id", "status", "created_at", "id"],
                        name="comments_post_idx",
                    ),
                    Index(
                        fields=["root_id", "status", "created_at", "id"], name="comments_thread_idx"
                    ),
                    Index(
                        fields=["answer_id", "root_id", "status", "created_at", "id"],
                        name="comments_answer_idx",
                    ),
                    Index(fields=["author_id", "status", "created_at"], name="comments_author_idx"),
                ],
                "pk_attr": "id",
                "table_description": "A comment on a post, or on an answer (`answer` set, `post` its question). Replies hang",
            },
        ),
        ops.AlterField(
            model_name="PointsEntry",
            name="reason",
            field=fields.CharEnumField(
                description="POST: POST\nCOMMENT: COMMENT\nANSWER: ANSWER\nLIKE_RECEIVED: LIKE_RECEIVED\nLIKE_WITHDRAWN: LIKE_WITHDRAWN\nACCEPTED_ANSWER: ACCEPTED_ANSWER\nFEATURED: FEATURED\nCHECKIN: CHECKIN\nCHECKIN_STREAK: CHECKIN_STREAK\nEVENT_CHECKIN: EVENT_CHECKIN\nINVITE: INVITE\nBOUNTY_ESCROW: BOUNTY_ESCROW\nBOUNTY_PAID: BOUNTY_PAID\nBOUNTY_REFUND: BOUNTY_REFUND\nMALL_REDEMPTION: MALL_REDEMPTION\nMALL_REFUND: MALL_REFUND\nTASK_REWARD: TASK_REWARD\nSURVEY_REWARD: SURVEY_REWARD",
                enum_type=PointsReason,
                max_length=16,
            ),
        ),
        ops.CreateModel(
            name="MemberTask",
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
                        related_name="tasks",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("code", fields.CharField(max_length=24)),
                ("period", fields.CharField(default="", max_length=10)),
                (
                    "notified_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                ("claimed_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("points", fields.IntField(default=0)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "member_tasks",
                "app": "models",
                "unique_together": (("user", "code", "period"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.AlterField(
            model_name="Notification",
            name="kind",
            field=fields.CharEnumField(
                description="COMMENT: COMMENT\nREPLY: REPLY\nLIKE: LIKE\nFOLLOW: FOLLOW\nANSWER: ANSWER\nANSWER_ACCEPTED: ANSWER_ACCEPTED\nREVIEW_APPROVED: REVIEW_APPROVED\nREVIEW_REJECTED: REVIEW_REJECTED\nFEATURED: FEATURED\nBADGE: BADGE\nEVENT_REMINDER: EVENT_REMINDER\nFEEDBACK_REPLY: FEEDBACK_REPLY\nANSWER_COMMENT: ANSWER_COMMENT\nTASK_DONE: TASK_DONE",
                enum_type=NotificationKind,
                max_length=16,
            ),
        ),
        ops.CreateModel(
            name="Survey",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("title", fields.CharField(max_length=60)),
                ("description", fields.CharField(default="", max_length=500)),
                ("closes_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("points_reward", fields.IntField(default=0)),
                ("question_count", fields.IntField(default=0)),
                ("response_count", fields.IntField(default=0)),
                (
                    "created_by",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="created_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="surveys",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "surveys",
                "app": "models",
                "indexes": [Index(fields=["created_at", "id"], name="surveys_list_idx")],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="SurveyQuestion",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "survey",
                    fields.ForeignKeyField(
                        "models.Survey",
                        source_field="survey_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="questions",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("position", fields.IntField()),
                (
                    "kind",
                    fields.CharEnumField(
                        description="SINGLE: SINGLE\nMULTIPLE: MULTIPLE\nTEXT: TEXT\nRATING: RATING\nNPS: NPS",
                        enum_type=SurveyQuestionKind,
                        max_length=8,
                    ),
                ),
                ("title", fields.CharField(max_length=200)),
                ("required", fields.BooleanField(default=True)),
            ],
            options={
                "table": "survey_questions",
                "app": "models",
                "indexes": [
                    Index(fields=["survey_id", "position"], name="survey_questions_order_idx")
                ],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="SurveyOption",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "question",
                    fields.ForeignKeyField(
                        "models.SurveyQuestion",
                        source_field="question_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="options",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("position", fields.IntField()),
                ("text", fields.CharField(max_length=100)),
            ],
            options={
                "table": "survey_options",
                "app": "models",
                "indexes": [
                    Index(fields=["question_id", "position"], name="survey_options_order_idx")
                ],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="SurveyResponse",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "survey",
                    fields.ForeignKeyField(
                        "models.Survey",
                        source_field="survey_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="responses",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "user",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="survey_responses",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "survey_responses",
                "app": "models",
                "unique_together": (("survey", "user"),),
                "indexes": [
                    Index(fields=["user_id", "survey_id"], name="survey_responses_member_idx")
                ],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="SurveyAnswer",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "response",
                    fields.ForeignKeyField(
                        "models.SurveyResponse",
                        source_field="response_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="answers",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "question",
                    fields.ForeignKeyField(
                        "models.SurveyQuestion",
                        source_field="question_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="answers",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("option_ids", fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ("text", fields.CharField(null=True, max_length=1000)),
                ("text_held", fields.BooleanField(default=False)),
                ("score", fields.SmallIntField(null=True)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "survey_answers",
                "app": "models",
                "indexes": [
                    Index(
                        fields=["question_id", "created_at", "id"],
                        name="survey_answers_question_idx",
                    )
                ],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
    ]
