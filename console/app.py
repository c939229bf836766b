"""The operator console, mounted at /console by the API's app factory: its routes, static
files and headers. A Mount (not an app of its own), so a request's `app` is the API's, with
its runtime, limiter and notification hub."""

from __future__ import annotations

from datetime import timedelta

from starlette.middleware import Middleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from strawberry import Schema

from console.cookies import ConsoleCookies
from console.desk import Console
from console.headers import ConsoleHeaders
from console.pages import (
    alerts,
    calendar,
    curation,
    dashboard,
    events,
    feedback,
    growth,
    home,
    log,
    login,
    mall,
    members,
    review,
    review_actions,
    roles,
    sanctions,
    surveys,
    system,
    words,
)
from console.templating import STATIC_DIR, build_environment
from domain.console_login import NONCE_TTL
from domain.models import Role
from quanzi.settings import Settings


def console_mount(schema: Schema, settings: Settings) -> Mount:
    """The console's routes under /console, executing `schema` (the app's own)."""
    assert settings.jwt_secret, "load_settings() gives every runnable Settings a secret"
    console = Console(
        schema=schema,
        env=build_environment(settings.community_timezone),
        cookies=ConsoleCookies(
            settings.jwt_secret, secure=settings.is_production, login_ttl=NONCE_TTL
        ),
        idle=timedelta(minutes=settings.console_idle_minutes),
        login_page=settings.console_login_page,
        page_max=settings.page_max,
        undo_seconds=settings.console_undo_seconds,
    )
    signing_in = login.Login(console)
    page = console.page
    operator = Role.OPERATOR

    routes = [
        Route("/", page(home.show)),
        Route("/login", signing_in.page),
        Route("/login/poll", signing_in.poll),
        Route("/login/link", signing_in.link),
        Route("/login/link", signing_in.confirm_link, methods=["POST"]),
        Route("/logout", page(login.sign_out), methods=["POST"]),
        Route("/review", page(review.show)),
        Route("/review/rows", page(review.rows)),
        Route("/review/tasks/{task_id}", page(review.detail)),
        Route("/review/claim", page(review_actions.claim), methods=["POST"]),
        Route("/review/release", page(review_actions.release), methods=["POST"]),
        Route("/review/decide", page(review_actions.decide), methods=["POST"]),
        Route("/sanctions", page(sanctions.show)),
        Route("/sanctions/lift", page(sanctions.lift), methods=["POST"]),
        Route("/members", page(members.lookup)),
        Route("/members/{user_id}", page(members.show)),
        Route("/members/{user_id}/sanction", page(members.sanction), methods=["POST"]),
        Route("/members/{user_id}/hide", page(members.hide), methods=["POST"]),
        Route("/words", page(words.show)),
        Route("/words/check", page(words.check), methods=["POST"]),
        Route("/words/add", page(words.add, operator), methods=["POST"]),
        Route("/words/remove", page(words.remove, operator), methods=["POST"]),
        Route("/words.csv", page(words.export, operator)),
        Route("/dashboard", page(dashboard.show, operator)),
        Route("/dashboard/data.json", page(dashboard.data, operator)),
        Route("/dashboard.csv", page(dashboard.export, operator)),
        Route("/dashboard/moderation.csv", page(dashboard.export_moderation, operator)),
        Route("/growth", page(growth.show, operator)),
        Route("/growth/data.json", page(growth.data, operator)),
        Route("/growth/retention.csv", page(growth.export_cohorts, operator)),
        Route("/growth/at-risk.csv", page(growth.export_at_risk, operator)),
        Route("/growth/refresh", page(growth.refresh, operator), methods=["POST"]),
        Route("/events", page(events.show, operator)),
        Route("/events/create", page(events.create, operator), methods=["POST"]),
        Route("/events/{event_id}", page(events.detail, operator)),
        Route("/events/{event_id}/update", page(events.update, operator), methods=["POST"]),
        Route("/events/{event_id}/cancel", page(events.cancel, operator), methods=["POST"]),
        Route("/events/{event_id}/roster.csv", page(events.export_roster, operator)),
        Route("/events/{event_id}/screen", page(events.screen, operator)),
        Route("/events/{event_id}/screen/live", page(events.screen_live, operator)),
        Route("/feedback", page(feedback.show, operator)),
        Route("/feedback/reply", page(feedback.reply, operator), methods=["POST"]),
        Route("/alerts", page(alerts.show, operator)),
        Route("/alerts/badge", page(alerts.badge, operator)),
        Route("/alerts/ack", page(alerts.acknowledge, operator), methods=["POST"]),
        Route("/alerts/rule", page(alerts.set_rule, operator), methods=["POST"]),
        Route("/alerts/run", page(alerts.run_checks, operator), methods=["POST"]),
        Route("/system", page(system.show, operator)),
        Route("/system/retrain", page(system.retrain, operator), methods=["POST"]),
        Route("/log", page(log.show, operator)),
        Route("/log.csv", page(log.export, operator)),
        Route("/roles", page(roles.show, Role.ADMIN), methods=["GET", "POST"]),
        Route("/calendar", page(calendar.show, operator)),
        Route("/calendar/schedule", page(calendar.schedule, operator), methods=["POST"]),
        Route("/calendar/reschedule", page(calendar.reschedule, operator), methods=["POST"]),
        Route("/calendar/cancel", page(calendar.cancel, operator), methods=["POST"]),
        Route("/curation", page(curation.show, operator)),
        Route("/curation/unpin", page(curation.unpin, operator), methods=["POST"]),
        Route("/curation/unfeature", page(curation.unfeature, operator), methods=["POST"]),
        Route("/curation/pin", page(curation.pin, operator), methods=["POST"]),
        Route("/curation/feature", page(curation.feature, operator), methods=["POST"]),
        Route(
            "/curation/collections", page(curation.create_collection, operator), methods=["POST"]
        ),
        Route(
            "/curation/collections/update",
            page(curation.update_collection, operator),
            methods=["POST"],
        ),
        Route(
            "/curation/collections/add",
            page(curation.add_to_collection, operator),
            methods=["POST"],
        ),
        Route("/curation/collections/move", page(curation.move, operator), methods=["POST"]),
        Route(
            "/curation/collections/delete",
            page(curation.delete_collection, operator),
            methods=["POST"],
        ),
        Route(
            "/curation/trending/refresh",
            page(curation.refresh_trending, operator),
            methods=["POST"],
        ),
        Route("/mall", page(mall.show, operator)),
        Route("/mall/items", page(mall.create, operator), methods=["POST"]),
        Route("/mall/items/{item_id}/update", page(mall.update, operator), methods=["POST"]),
        Route("/mall/items/{item_id}/switch", page(mall.switch, operator), methods=["POST"]),
        Route("/mall/items/{item_id}/codes", page(mall.add_codes, operator), methods=["POST"]),
        Route(
            "/mall/redemptions/{redemption_id}/fulfil",
            page(mall.fulfil, operator),
            methods=["POST"],
        ),
        Route(
            "/mall/redemptions/{redemption_id}/cancel",
            page(mall.cancel, operator),
            methods=["POST"],
        ),
        Route("/mall/redemptions.csv", page(mall.export, operator)),
        Route("/surveys", page(surveys.show, operator)),
        Route("/surveys/create", page(surveys.create, operator), methods=["POST"]),
        Route("/surveys/{survey_id}", page(surveys.results, operator)),
        Route("/surveys/{survey_id}/close", page(surveys.close, operator), methods=["POST"]),
        Route("/surveys/{survey_id}/results.csv", page(surveys.export, operator)),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="console-static"),
    ]
    return Mount(
        "/console",
        routes=routes,
        middleware=[Middleware(ConsoleHeaders)],
    )
