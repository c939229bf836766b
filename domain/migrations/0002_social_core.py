from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from domain.models.comments import CommentStatus
from domain.models.posts import PostKind, PostStatus
from domain.models.reactions import ClientEventKind, ShareChannel
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [("models", "0001_initial")]

    initial = False

    operations = [
        ops.CreateModel(
            name="ClientEvent",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("user_id", fields.BigIntField(null=True)),
                (
                    "kind",
                    fields.CharEnumField(
                        description="IMPRESSION: IMPRESSION\nVIEW: VIEW\nDWELL: DWELL\nSHARE_OPEN: SHARE_OPEN",
                        enum_type=ClientEventKind,
                        max_length=16,
                    ),
                ),
                ("post_id", fields.BigIntField(null=True)),
                ("share_token", fields.CharField(null=True, max_length=32)),
                ("duration_ms", fields.IntField(null=True)),
                ("occurred_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("received_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "client_events",
                "app": "models",
                "indexes": [Index(fields=["occurred_at"], name="client_events_time_idx")],
                "pk_attr": "id",
                "table_description": "Append-only: what the client reported seeing, for analytics and recommendations.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="MediaUpload",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "owner",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="owner_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="uploads",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("url", fields.CharField(unique=True, max_length=512)),
                ("storage_key", fields.CharField(max_length=256)),
                ("content_type", fields.CharField(max_length=32)),
                ("size", fields.IntField()),
                ("width", fields.IntField()),
                ("height", fields.IntField()),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "media_uploads",
                "app": "models",
                "pk_attr": "id",
                "table_description": "An image this service accepted and stored; posts may only use these URLs.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Post",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "author",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="author_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="posts",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "kind",
                    fields.CharEnumField(
                        default=PostKind.POST,
                        description="POST: POST\nQUESTION: QUESTION\nPOLL: POLL",
                        enum_type=PostKind,
                        max_length=16,
                    ),
                ),
                (
                    "status",
                    fields.CharEnumField(
                        default=PostStatus.PUBLISHED,
                        description="PUBLISHED: PUBLISHED\nPENDING_REVIEW: PENDING_REVIEW\nHIDDEN: HIDDEN\nREJECTED: REJECTED\nDELETED: DELETED",
                        enum_type=PostStatus,
                        max_length=16,
                    ),
                ),
                ("title", fields.CharField(default="", max_length=60)),
                ("body", fields.TextField(unique=False)),
                (
                    "images",
                    fields.JSONField(
                        default=list,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("like_count", fields.IntField(default=0)),
                ("comment_count", fields.IntField(default=0)),
                ("share_count", fields.IntField(default=0)),
                ("view_count", fields.IntField(default=0)),
                ("answer_count", fields.IntField(default=0)),
                ("bounty", fields.IntField(default=0)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ("edited_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("deleted_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "posts",
                "app": "models",
                "indexes": [
                    Index(fields=["status", "created_at", "id"], name="posts_status_created_idx"),
                    Index(
                        fields=["author_id", "status", "created_at", "id"], name="posts_author_idx"
                    ),
                ],
                "pk_attr": "id",
                "table_description": "A post, question or poll. Counters change in the transaction of the row they count.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Comment",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "post",
                    fields.ForeignKeyField(
                        "models.Post",
                        source_field="post_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="comments",
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
                        related_name="comments",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "root",
                    fields.ForeignKeyField(
                        "models.Comment",
                        source_field="root_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="thread",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "reply_to",
                    fields.ForeignKeyField(
                        "models.Comment",
                        source_field="reply_to_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="answered_by",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("body", fields.TextField(unique=False)),
                (
                    "status",
                    fields.CharEnumField(
                        default=CommentStatus.PUBLISHED,
                        description="PUBLISHED: PUBLISHED\nPENDING_REVIEW: PENDING_REVIEW\nHIDDEN: HIDDEN\nREJECTED: REJECTED\nDELETED: DELETED",
                        enum_type=CommentStatus,
                        max_length=16,
                    ),
                ),
                ("like_count", fields.IntField(default=0)),
                ("reply_count", fields.IntField(default=0)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("deleted_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
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
                ],
                "pk_attr": "id",
                "table_description": "A comment on a post. Replies hang off a root comment (one level of threading);",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="CommentLike",
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
                        related_name="comment_likes",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "comment",
                    fields.ForeignKeyField(
                        "models.Comment",
                        source_field="comment_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="likes",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "comment_likes",
                "app": "models",
                "unique_together": (("user", "comment"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="PostLike",
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
                        related_name="post_likes",
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
                        related_name="likes",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "post_likes",
                "app": "models",
                "unique_together": (("user", "post"),),
                "indexes": [Index(fields=["post_id", "created_at"], name="post_likes_post_idx")],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="PostView",
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
                        related_name="post_views",
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
                        related_name="views",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("day", fields.DateField()),
            ],
            options={
                "table": "post_views",
                "app": "models",
                "unique_together": (("user", "post", "day"),),
                "pk_attr": "id",
                "table_description": "A member viewed a post on a day (UTC+8); viewCount counts these rows.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Share",
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
                        related_name="shares",
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
                        related_name="shares",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "channel",
                    fields.CharEnumField(
                        description="WECHAT_CHAT: WECHAT_CHAT\nWECHAT_MOMENTS: WECHAT_MOMENTS\nPOSTER: POSTER\nCOPY_LINK: COPY_LINK\nOTHER: OTHER",
                        enum_type=ShareChannel,
                        max_length=16,
                    ),
                ),
                ("token", fields.CharField(unique=True, max_length=32)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "shares",
                "app": "models",
                "indexes": [Index(fields=["created_at"], name="shares_created_idx")],
                "pk_attr": "id",
                "table_description": "One share of a post; its token goes into the shared link to trace opens and sign-ups.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Topic",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("name", fields.CharField(unique=True, max_length=20)),
                ("description", fields.CharField(default="", max_length=200)),
                ("post_count", fields.IntField(default=0)),
                ("follower_count", fields.IntField(default=0)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={"table": "topics", "app": "models", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="PostTopic",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "post",
                    fields.ForeignKeyField(
                        "models.Post",
                        source_field="post_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="post_topics",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "topic",
                    fields.ForeignKeyField(
                        "models.Topic",
                        source_field="topic_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="post_topics",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("position", fields.SmallIntField(default=0)),
                ("post_created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "post_topics",
                "app": "models",
                "unique_together": (("post", "topic"),),
                "indexes": [
                    Index(
                        fields=["topic_id", "post_created_at", "post_id"],
                        name="post_topics_feed_idx",
                    )
                ],
                "pk_attr": "id",
                "table_description": "A post filed under a topic; carries the post's time so a topic feed reads one index.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="TopicFollow",
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
                        related_name="topic_follows",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "topic",
                    fields.ForeignKeyField(
                        "models.Topic",
                        source_field="topic_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="follows",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "topic_follows",
                "app": "models",
                "unique_together": (("user", "topic"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="UserFollow",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "follower",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="follower_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="following",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "followee",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="followee_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="followers",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "user_follows",
                "app": "models",
                "unique_together": (("follower", "followee"),),
                "indexes": [
                    Index(fields=["followee_id", "created_at"], name="user_follows_followee_idx")
                ],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
    ]
