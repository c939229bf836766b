"""The recommender on real data: the registry, serving, and RECOMMENDED end to end (the model's
evaluation in memory is in tests/unit/test_recommend_model.py)."""

from __future__ import annotations

import os
import random

from api.ids import to_global_id
from domain.likes import like_post
from domain.models import RecommenderModel, Role
from domain.topics import follow_topic
from quanzi.bootstrap import Runtime
from recommend import registry, serving
from recommend.evaluation import Comparison, Metrics
from tests.conftest import Api, error_codes
from tests.factories import RULES, make_post, make_user, token_for


async def _community(per_topic: int = 15) -> tuple[list, list]:
    author = await make_user(nickname="作者")
    cats = [await make_post(author, f"猫咪日常 {i} #猫#") for i in range(per_topic)]
    cars = [await make_post(author, f"汽车评测 {i} #汽车#") for i in range(per_topic)]
    return cats, cars


async def test_a_member_who_loves_one_topic_sees_it_first_and_a_newcomer_gets_a_full_page(
    api: Api, runtime: Runtime
) -> None:
    cats, cars = await _community()
    rng = random.Random(5)
    fans = []
    for n in range(24):  # half love cats, half love cars
        member = await make_user()
        fans.append(member)
        for post in rng.sample(cats if n % 2 == 0 else cars, 8):
            await like_post(member, post.id, rules=RULES)
    cat_lover = fans[0]
    row = await registry.train_and_register(runtime.recommender, publish=True)
    assert row.published and row.current and row.interactions == 24 * 8
    loaded = await registry.current()
    assert loaded is not None
    written = await serving.precompute(
        runtime.store, loaded[0].version, loaded[1], 200, [m.id for m in fans]
    )
    assert written == 24
    settings_share = runtime.settings.recommender_explore_share
    assert settings_share > 0
    # What the job does after precomputing: the members' RECOMMENDED lists.
    await serving.build_feeds(runtime.store, [m.id for m in fans], settings_share)
    feed = await api.op(
        "Feed", {"kind": "RECOMMENDED", "first": 10}, token=token_for(runtime, cat_lover)
    )
    ids = [e["node"]["id"] for e in feed["data"]["feed"]["edges"]]
    cat_ids = {to_global_id("Post", p.id) for p in cats}
    assert sum(i in cat_ids for i in ids[:6]) >= 5, ids
    newcomer = await make_user()
    page = await api.op(
        "Feed", {"kind": "RECOMMENDED", "first": 20}, token=token_for(runtime, newcomer)
    )
    edges = page["data"]["feed"]["edges"]
    assert len(edges) == 20 and len({e["node"]["id"] for e in edges}) == 20
    rest = await api.op(
        "Feed",
        {
            "kind": "RECOMMENDED",
            "first": 20,
            "after": page["data"]["feed"]["pageInfo"]["endCursor"],
        },
        token=token_for(runtime, newcomer),
    )
    more = [e["node"]["id"] for e in rest["data"]["feed"]["edges"]]
    assert len(more) == 10 and not set(more) & {e["node"]["id"] for e in edges}


async def test_a_newcomer_who_follows_a_topic_is_served_it_from_the_item_features(
    api: Api, runtime: Runtime
) -> None:
    cats, cars = await _community()
    rng = random.Random(9)
    for n in range(20):
        member = await make_user()
        for post in rng.sample(cats if n % 2 == 0 else cars, 8):
            await like_post(member, post.id, rules=RULES)
    await registry.train_and_register(runtime.recommender, publish=True)
    newcomer = await make_user()
    from domain.models import Topic

    await follow_topic(newcomer, (await Topic.get(name="汽车")).id)
    # What the job asked for at sign-in does.
    await serving.build_feed(runtime.store, newcomer.id, runtime.recommender.explore_share)
    feed = await api.op(
        "Feed", {"kind": "RECOMMENDED", "first": 6}, token=token_for(runtime, newcomer)
    )
    car_ids = {to_global_id("Post", p.id) for p in cars}
    ids = [e["node"]["id"] for e in feed["data"]["feed"]["edges"]]
    assert sum(i in car_ids for i in ids) >= 5, ids


async def test_seen_and_own_posts_are_left_out(api: Api, runtime: Runtime) -> None:
    cats, _ = await _community(5)
    reader = await make_user()
    own = await make_post(reader, "我自己的帖子")
    token = token_for(runtime, reader)
    await api.op(
        "TrackEvents",
        {"events": [{"kind": "VIEW", "postId": to_global_id("Post", cats[0].id)}]},
        token=token,
    )
    # The member's list, built (by its job) after the view.
    await serving.build_feed(runtime.store, reader.id, runtime.recommender.explore_share)
    feed = await api.op("Feed", {"kind": "RECOMMENDED", "first": 50}, token=token)
    ids = {e["node"]["id"] for e in feed["data"]["feed"]["edges"]}
    assert to_global_id("Post", cats[0].id) not in ids
    assert to_global_id("Post", own.id) not in ids
    assert len(ids) == 9


async def test_a_model_that_does_not_beat_the_baseline_is_kept_but_not_served(
    api: Api, runtime: Runtime
) -> None:
    cats, _ = await _community(5)
    for member in [await make_user() for _ in range(3)]:
        await like_post(
            member, cats[0].id, rules=RULES
        )  # everyone likes the same post: popularity wins
    row = await registry.train_and_register(runtime.recommender)
    assert not row.published and not row.current
    assert await registry.current() is None
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    status = await api.op("RecommenderStatus", token=operator)
    assert status["data"]["recommenderStatus"]["modelVersion"] == row.version
    member = token_for(runtime, await make_user())
    assert error_codes(await api.op("RetrainRecommender", token=member)) == ["FORBIDDEN"]
    job = await api.op("RetrainRecommender", token=operator)
    assert job["data"]["retrainRecommender"]["id"]


async def test_serving_switches_models_atomically_and_can_roll_back(runtime: Runtime) -> None:
    cats, _ = await _community(5)
    for member in [await make_user() for _ in range(4)]:
        await like_post(member, cats[1].id, rules=RULES)
    first = await registry.train_and_register(runtime.recommender, publish=True)
    second = await registry.train_and_register(runtime.recommender, publish=True)
    assert await RecommenderModel.filter(current=True).count() == 1
    assert (await registry.current())[0].version == second.version  # type: ignore[index]
    rolled = await registry.rollback()
    assert rolled is not None and rolled.version == first.version
    assert (await registry.current())[0].version == first.version  # type: ignore[index]


async def test_an_unreadable_model_falls_back_to_hot_instead_of_failing(
    api: Api, runtime: Runtime
) -> None:
    cats, _ = await _community(5)
    member = await make_user()
    await like_post(member, cats[0].id, rules=RULES)
    row = await registry.train_and_register(runtime.recommender, publish=True)
    os.remove(row.path)  # e.g. an API host that does not share the worker's model volume
    registry._loaded.clear()
    assert await registry.current() is None
    feed = await api.op(
        "Feed", {"kind": "RECOMMENDED", "first": 10}, token=token_for(runtime, await make_user())
    )
    assert "errors" not in feed and len(feed["data"]["feed"]["edges"]) == 10


_MODELS = """query { recommenderModels(first: 5) { version published serving
  metrics { precisionAt10 baselinePrecisionAt10 epochs comparedWith servingPrecisionAt10
            servingAuc comparedPrecisionAt10 comparedAuc comparedUsers } } }"""


async def test_a_new_model_is_measured_against_the_serving_one_and_the_figures_are_kept(
    api: Api, runtime: Runtime
) -> None:
    cats, cars = await _community()
    rng = random.Random(11)
    members = [await make_user() for _ in range(24)]
    liked: dict[int, list] = {}
    for n, member in enumerate(members):
        liked[member.id] = rng.sample(cats if n % 2 == 0 else cars, 10)
        for post in liked[member.id][:5]:
            await like_post(member, post.id, rules=RULES)
    first = await registry.train_and_register(runtime.recommender, publish=True)
    assert 1 <= first.metrics["epochs"] <= runtime.recommender.params.epochs
    assert "against_serving" not in first.metrics  # nothing served before it
    for member in members:  # the community moves on: likes the serving model never saw
        for post in liked[member.id][5:]:
            await like_post(member, post.id, rules=RULES)
    second = await registry.train_and_register(runtime.recommender)
    assert second.metrics["serving_version"] == first.version
    against = second.metrics["against_serving"]
    assert against["candidate"]["users"] == against["serving"]["users"] > 0
    measured = Metrics(
        **{k: second.metrics[k] for k in ("precision_at_10", "recall_at_10")},
        auc=second.metrics["auc"],
        users=second.metrics["users"],
    )
    comparison = Comparison(Metrics(**against["candidate"]), Metrics(**against["serving"]))
    expected = registry.promotes(measured, Metrics(**second.baseline), comparison)
    assert second.published == second.current == expected
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    rows = (await api.execute(_MODELS, token=operator))["data"]["recommenderModels"]
    assert [r["version"] for r in rows] == [second.version, first.version]
    shown = rows[0]["metrics"]
    assert shown["comparedWith"] == first.version and shown["epochs"] == second.metrics["epochs"]
    assert shown["servingPrecisionAt10"] == against["serving"]["precision_at_10"]
    assert shown["comparedPrecisionAt10"] == against["candidate"]["precision_at_10"]
    assert shown["comparedUsers"] == against["candidate"]["users"]
    assert rows[1]["metrics"]["comparedWith"] is None
    assert rows[1]["metrics"]["servingPrecisionAt10"] is None
