import cProfile, pstats, time, os
from quanzi.bootstrap import Runtime
from tests.conftest import configured_api
from tests.contract import operation
from tests.factories import make_post, make_user, token_for, make_comment

async def test_prof(runtime: Runtime) -> None:
    users = [await make_user() for _ in range(10)]
    posts = [await make_post(users[i % 10], f"第{i}篇 #爬山# #周末# 一起去") for i in range(30)]
    viewer = users[0]
    token = token_for(runtime, viewer)
    cases = {"feed": (operation("Feed"), {"kind": os.environ.get("KIND", "LATEST"), "first": 26}),
             "viewer": ("{ viewer { id } }", {}), "typename": ("{ __typename }", {})}
    h = {"Authorization": f"Bearer {token}"}
    for compiled in (False, True, False, True):
        async with configured_api(runtime, rate_limits_enabled=False, compiled_execution=compiled) as (api, client):
          for name, (q, v) in cases.items():
            for _ in range(20):
                r = await client.post("/graphql", json={"query": q, "variables": v}, headers=h)
            n = 200
            t = time.process_time()
            for _ in range(n):
                await client.post("/graphql", json={"query": q, "variables": v}, headers=h)
            print("compiled" if compiled else "interp", name, round((time.process_time() - t) / n * 1000, 2), "ms", len(r.content))
          if compiled and os.environ.get("PROF"):
                q, v = cases[os.environ.get("CASE", "feed")]
                pr = cProfile.Profile(); pr.enable()
                for _ in range(100):
                    await client.post("/graphql", json={"query": q, "variables": v}, headers=h)
                pr.disable()
                st = pstats.Stats(pr); st.sort_stats(os.environ.get("PROF")).print_stats(60); pass
