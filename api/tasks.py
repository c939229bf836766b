"""The task centre: the viewer's onboarding and daily tasks, and claiming a task's reward."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from api.context import Context
from api.users import Viewer
from domain import tasks
from domain.texts import render

TaskKind = strawberry.enum(tasks.TaskKind, name="TaskKind")


@strawberry.type(description="A task: its progress is computed from what the member did.")
class Task:
    code: str
    kind: TaskKind  # type: ignore[valid-type]
    title: str
    description: str
    points_reward: int
    progress: int
    target: int
    completed: bool
    reward_claimed: bool

    @classmethod
    def of(cls, task: tasks.Task, locale: str) -> Task:
        return cls(
            code=task.code,
            kind=task.kind,
            title=render(f"task.{task.code}.title", locale),
            description=render(f"task.{task.code}.description", locale),
            points_reward=task.points_reward,
            progress=task.progress,
            target=task.target,
            completed=task.completed,
            reward_claimed=task.claimed,
        )


@strawberry.type
class ClaimTaskRewardPayload:
    task: Task
    viewer: Viewer


@strawberry.type
class TasksQuery:
    @strawberry.field(description="Onboarding tasks (in a member's first days), then today's.")
    async def tasks(self, info: Info[Context, None]) -> list[Task]:
        viewer = await info.context.require_viewer()
        rules = info.context.runtime.rules
        await tasks.announce_completed(viewer, rules=rules)
        return [Task.of(t, info.context.locale) for t in await tasks.tasks_of(viewer, rules=rules)]


@strawberry.type
class TasksMutation:
    @strawberry.mutation(description="Once per task (and day); a second claim is a CONFLICT.")
    async def claim_task_reward(
        self, info: Info[Context, None], code: str
    ) -> ClaimTaskRewardPayload:
        viewer = await info.context.require_viewer()
        task = await tasks.claim(viewer, code[:32], rules=info.context.runtime.rules)
        await viewer.refresh_from_db(fields=["points"])
        return ClaimTaskRewardPayload(
            task=Task.of(task, info.context.locale), viewer=Viewer.from_model(viewer)
        )
