"""积分商城: the items on offer (switched-off ones too), creating and editing one, uploading a
COUPON item's codes, and the redemption queue (PENDING first) with its shipping details,
fulfilling with a tracking number, cancelling with a refund, and its CSV."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from console.desk import Desk
from console.gql import GraphQLProblem
from console.pages.common import after, csv_download, export_pages

KINDS = ("VIRTUAL", "COUPON", "PHYSICAL")
STATUSES = ("PENDING", "FULFILLED", "CANCELLED")
_NUMBERS = ("pricePoints", "stock", "perMemberLimit", "minLevel")
_TEXTS = ("title", "description", "imageUrl")
# The most codes one upload takes (the API checks each code).
CODES_MAX = 5_000


def _number(raw: str) -> int | str | None:
    raw = raw.strip()
    if not raw:
        return None
    return int(raw) if raw.lstrip("-").isdigit() else raw


def _draft(form: FormData, *, editing: bool) -> dict[str, Any]:
    """The item form as the API's input: blank fields left out (unchanged when editing)."""
    draft: dict[str, Any] = {}
    for key in _TEXTS:
        value = str(form.get(key, "")).strip()
        if value or (key == "title" and not editing):
            draft[key] = value
    for key in _NUMBERS:
        if (number := _number(str(form.get(key, "")))) is not None:
            draft[key] = number
    kind = str(form.get("kind", ""))
    if kind in KINDS:
        draft["kind"] = kind
    elif not editing:
        draft["kind"] = "VIRTUAL"
    draft["active"] = bool(form.get("active"))
    return draft


async def _queue(desk: Desk) -> tuple[list[dict[str, Any]], int, dict[str, Any] | None]:
    """PENDING first, then the rest (newest first), and how many are pending."""
    status = desk.request.query_params.get("status") or None
    status = status if status in STATUSES else None
    pending = await desk.run("ConsoleRedemptions", status="PENDING", first=desk.console.page_max)
    waiting = (pending.data or {}).get("redemptions") or {"edges": [], "totalCount": 0}
    rest = await desk.run(
        "ConsoleRedemptions", status=status, first=desk.console.page_max, after=after(desk)
    )
    page = (rest.data or {}).get("redemptions")
    later = [e["node"] for e in (page or {}).get("edges", []) if e["node"]["status"] != "PENDING"]
    first = [e["node"] for e in waiting["edges"]] if status in (None, "PENDING") else []
    return first + later, waiting["totalCount"], page


async def show(
    desk: Desk,
    *,
    message: str | None = None,
    problems: list[GraphQLProblem] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    items = await desk.run("ConsoleMallItems", first=desk.console.page_max)
    found = [e["node"] for e in ((items.data or {}).get("mallItems") or {}).get("edges", [])]
    editing_id = desk.request.query_params.get("edit")
    editing = next((i for i in found if i["id"] == editing_id), None)
    queue, pending, page = await _queue(desk)
    done = desk.request.query_params.get("done")
    if message is None and done in ("created", "saved", "codes", "fulfilled", "cancelled"):
        message = desk.t("mall." + done)
    return desk.render(
        "mall.html",
        status=400 if problems else 200,
        items=found,
        editing=editing,
        values=values or _values(editing),
        queue=queue,
        pending=pending,
        page=page,
        status_filter=desk.request.query_params.get("status") or "",
        kinds=KINDS,
        statuses=STATUSES,
        message=message,
        problems=items.problems + (problems or []),
    )


def _values(item: dict[str, Any] | None) -> dict[str, str]:
    if not item:
        return {"active": "1", "kind": "VIRTUAL"}
    values = {k: "" if item.get(k) is None else str(item[k]) for k in (*_TEXTS, *_NUMBERS)}
    values["kind"] = item["kind"]
    values["active"] = "1" if item["active"] else ""
    return values


def _back(done: str) -> Response:
    return RedirectResponse(f"/console/mall?done={done}", status_code=303)


async def create(desk: Desk) -> Response:
    form = await desk.request.form()
    outcome = await desk.run("ConsoleCreateMallItem", input=_draft(form, editing=False))
    if outcome.ok:
        return _back("created")
    return await show(desk, problems=outcome.problems, values={k: str(v) for k, v in form.items()})


async def update(desk: Desk) -> Response:
    form = await desk.request.form()
    item_id = desk.request.path_params["item_id"]
    outcome = await desk.run("ConsoleUpdateMallItem", id=item_id, input=_draft(form, editing=True))
    return _back("saved") if outcome.ok else await show(desk, problems=outcome.problems)


async def switch(desk: Desk) -> Response:
    """Switch an item on or off from the list (one button)."""
    form = await desk.request.form()
    item_id = desk.request.path_params["item_id"]
    active = str(form.get("active", "")) == "1"
    outcome = await desk.run("ConsoleUpdateMallItem", id=item_id, input={"active": active})
    return _back("saved") if outcome.ok else await show(desk, problems=outcome.problems)


async def add_codes(desk: Desk) -> Response:
    form = await desk.request.form()
    item_id = desk.request.path_params["item_id"]
    lines = str(form.get("codes", "")).splitlines()
    codes = [c.strip() for c in lines if c.strip()][:CODES_MAX]
    if not codes:
        problem = GraphQLProblem("BAD_USER_INPUT", desk.t("mall.no_codes"), "codes")
        return await show(desk, problems=[problem])
    outcome = await desk.run("ConsoleAddCouponCodes", itemId=item_id, codes=codes)
    return _back("codes") if outcome.ok else await show(desk, problems=outcome.problems)


async def fulfil(desk: Desk) -> Response:
    form = await desk.request.form()
    tracking = str(form.get("trackingNumber", "")).strip() or None
    outcome = await desk.run(
        "ConsoleFulfilRedemption",
        id=desk.request.path_params["redemption_id"],
        trackingNumber=tracking,
    )
    return _back("fulfilled") if outcome.ok else await show(desk, problems=outcome.problems)


async def cancel(desk: Desk) -> Response:
    form = await desk.request.form()
    outcome = await desk.run(
        "ConsoleCancelRedemption",
        id=desk.request.path_params["redemption_id"],
        reason=str(form.get("reason", "")).strip(),
    )
    return _back("cancelled") if outcome.ok else await show(desk, problems=outcome.problems)


async def export(desk: Desk) -> Response:
    status = desk.request.query_params.get("status") or None
    nodes = await export_pages(
        desk,
        "ConsoleRedemptions",
        "redemptions",
        status=status if status in STATUSES else None,
    )
    nodes.sort(key=lambda n: n["status"] != "PENDING")  # stable: newest first within each
    return csv_download(
        "redemptions.csv",
        [
            "redemption_id",
            "status",
            "created_at",
            "item",
            "quantity",
            "points",
            "member_id",
            "nickname",
            "ship_name",
            "ship_phone",
            "ship_address",
            "tracking_number",
        ],
        (
            [
                n["id"],
                n["status"],
                n["createdAt"],
                n["item"]["title"],
                n["quantity"],
                n["pointsSpent"],
                n["user"]["id"],
                n["user"]["nickname"],
                *(
                    (n["shipping"]["name"], n["shipping"]["phone"], n["shipping"]["address"])
                    if n["shipping"]
                    else ("", "", "")
                ),
                n["trackingNumber"],
            ]
            for n in nodes
        ),
    )
