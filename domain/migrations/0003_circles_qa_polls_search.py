from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from domain.models.circles import CircleRole, JoinPolicy, MembershipStatus
from domain.models.answers import AnswerStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [("models", "0002_social_core")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Answer",
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
                        "models.Post",
                        source_field="question_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="answers",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "author",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="author_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="answers",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("body", fields.TextField(unique=False)),
                (
                    "status",
                    fields.CharEnumField(
                        default=AnswerStatus.PUBLISHED,
                        description="PUBLISHED: PUBLISHED\nPENDING_REVIEW: PENDING_REVIEW\nHIDDEN: HIDDEN\nREJECTED: REJECTED\nDELETED: DELETED",
                        enum_type=AnswerStatus,
                        max_length=16,
                    ),
                ),
                ("vote_count", fields.IntField(default=0)),
                ("is_accepted", fields.BooleanField(default=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "answers",
                "app": "models",
                "unique_together": (("question", "author"),),
                "indexes": [
                    Index(
                        fields=["question_id", "status", "is_accepted", "vote_count", "id"],
                        name="answers_votes_idx",
                    ),
                    Index(
                        fields=["question_id", "status", "created_at", "id"], name="answers_new_idx"
                    ),
                ],
                "pk_attr": "id",
                "table_description": "An answer to a QUESTION post: one per member per question.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="AnswerVote",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "answer",
                    fields.ForeignKeyField(
                        "models.Answer",
                        source_field="answer_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="votes",
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
                        related_name="answer_votes",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("value", fields.SmallIntField()),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "answer_votes",
                "app": "models",
                "unique_together": (("answer", "user"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Circle",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("name", fields.CharField(unique=True, max_length=30)),
                ("description", fields.CharField(default="", max_length=200)),
                (
                    "join_policy",
                    fields.CharEnumField(
                        default=JoinPolicy.OPEN,
                        description="OPEN: OPEN\nAPPROVAL: APPROVAL",
                        enum_type=JoinPolicy,
                        max_length=16,
                    ),
                ),
                (
                    "creator",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="creator_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="created_circles",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("member_count", fields.IntField(default=0)),
                ("post_count", fields.IntField(default=0)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={"table": "circles", "app": "models", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="CircleMember",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "circle",
                    fields.ForeignKeyField(
                        "models.Circle",
                        source_field="circle_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="memberships",
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
                        related_name="circle_memberships",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "role",
                    fields.CharEnumField(
                        default=CircleRole.MEMBER,
                        description="MEMBER: MEMBER\nADMIN: ADMIN",
                        enum_type=CircleRole,
                        max_length=16,
                    ),
                ),
                (
                    "status",
                    fields.CharEnumField(
                        default=MembershipStatus.ACTIVE,
                        description="ACTIVE: ACTIVE\nPENDING: PENDING",
                        enum_type=MembershipStatus,
                        max_length=16,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "circle_members",
                "app": "models",
                "unique_together": (("circle", "user"),),
                "indexes": [
                    Index(
                        fields=["circle_id", "status", "created_at"],
                        name="circle_members_status_idx",
                    )
                ],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Poll",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "post",
                    fields.OneToOneField(
                        "models.Post",
                        source_field="post_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="poll",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("multiple_choice", fields.BooleanField(default=False)),
                ("closes_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("total_voters", fields.IntField(default=0)),
            ],
            options={"table": "polls", "app": "models", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="PollOption",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "poll",
                    fields.ForeignKeyField(
                        "models.Poll",
                        source_field="poll_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="options",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("position", fields.SmallIntField()),
                ("text", fields.CharField(max_length=50)),
                ("vote_count", fields.IntField(default=0)),
            ],
            options={
                "table": "poll_options",
                "app": "models",
                "unique_together": (("poll", "position"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="PollVoter",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "poll",
                    fields.ForeignKeyField(
                        "models.Poll",
                        source_field="poll_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="voters",
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
                        related_name="poll_votes",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "option_ids",
                    fields.JSONField(
                        default=list,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "poll_voters",
                "app": "models",
                "unique_together": (("poll", "user"),),
                "pk_attr": "id",
                "table_description": "A member has voted in a poll: the row that makes a second vote a CONFLICT.",
            },
            bases=["Model"],
        ),
        ops.AddField(
            model_name="Post",
            name="accepted_answer_id",
            field=fields.BigIntField(null=True),
        ),
        ops.AddField(
            model_name="Post",
            name="circle",
            field=fields.ForeignKeyField(
                "models.Circle",
                source_field="circle_id",
                null=True,
                db_constraint=True,
                to_field="id",
                related_name="posts",
                on_delete=OnDelete.SET_NULL,
            ),
        ),
        ops.AddField(
            model_name="Post",
            name="search_tokens",
            field=fields.TextField(default="", unique=False),
        ),
        ops.AddIndex(
            model_name="Post",
            index=Index(
                fields=["circle_id", "status", "created_at", "id"], name="posts_circle_idx"
            ),
        ),
        ops.AddIndex(
            model_name="Post",
            index=Index(fields=["kind", "status", "created_at", "id"], name="posts_kind_idx"),
        ),
        ops.RunSQL(
            [
                "ALTER TABLE posts ADD COLUMN search_vector tsvector "
                "GENERATED ALWAYS AS (to_tsvector('simple', search_tokens)) STORED",
                "CREATE INDEX posts_search_idx ON posts USING GIN (search_vector)",
            ],
            reverse_sql=[
                "DROP INDEX posts_search_idx",
                "ALTER TABLE posts DROP COLUMN search_vector",
            ],
        ),
    ]
