"""Members: creation on first sign-in, profile edits, roles."""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from domain.errors import BadInput, ContentRejected, NotFound
from domain.models import Role, User
from domain.wordfilter import is_blank, skeleton

if TYPE_CHECKING:
    from domain.publishing import Screening

NICKNAME_MAX = 20
BIO_MAX = 200
AVATAR_URL_MAX = 512
# No 0/O or 1/I/L: invite codes are read aloud and typed by hand.
_INVITE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
INVITE_CODE_LENGTH = 8
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# Vietnamese stacks two marks on a letter and Thai or an emoji keycap up to three; zalgo text
# piles on many more.
_MARKS_PER_LETTER = 3
_STAFF = (Role.MODERATOR, Role.OPERATOR, Role.ADMIN)


def new_invite_code() -> str:
    return "".join(secrets.choice(_INVITE_ALPHABET) for _ in range(INVITE_CODE_LENGTH))


def default_nickname() -> str:
    return "圈友" + "".join(secrets.choice("0123456789") for _ in range(6))


@dataclass(frozen=True)
class Attribution:
    """Where a new member came from: an invite code and/or a share link."""

    invite_code: str | None = None
    share_token: str | None = None

    def cleaned(self) -> Attribution:
        # A broken invite or share link must never stop a sign-in: keep only well-formed values.
        code = (self.invite_code or "").strip().upper()
        token = (self.share_token or "").strip()
        return Attribution(
            invite_code=code if _TOKEN_RE.match(code) and len(code) <= 16 else None,
            share_token=token if _TOKEN_RE.match(token) else None,
        )


async def find_or_create_member(
    openid: str,
    *,
    unionid: str | None = None,
    nickname: str | None = None,
    attribution: Attribution = Attribution(),
) -> tuple[User, bool]:
    """The member with this openid (or unionid), created on first sight; safe under double taps."""
    for _ in range(5):
        user = await _find_member(openid, unionid)
        if user is not None:
            return user, False
        try:
            return await _create_member(openid, unionid, nickname, attribution.cleaned()), True
        except IntegrityError:
            # Either a concurrent sign-in created this member, or the invite code collided.
            continue
    user = await _find_member(openid, unionid)
    if user is None:
        raise RuntimeError(f"could not create a member for openid {openid!r}")
    return user, False


async def _find_member(openid: str, unionid: str | None) -> User | None:
    user = await User.get_or_none(openid=openid)
    if user is None and unionid:
        user = await User.get_or_none(unionid=unionid)
    if user is not None and unionid and user.unionid is None:
        updated = await User.filter(id=user.id, unionid__isnull=True).update(unionid=unionid)
        if updated:
            user.unionid = unionid
    return user


async def _create_member(
    openid: str, unionid: str | None, nickname: str | None, attribution: Attribution
) -> User:
    async with in_transaction():
        inviter = None
        if attribution.invite_code:
            inviter = await User.get_or_none(invite_code=attribution.invite_code)
        if nickname:
            nickname = _clean_nickname(nickname)
            await _refuse_staff_copy(nickname)
        user = await User.create(
            openid=openid,
            unionid=unionid,
            nickname=nickname or default_nickname(),
            invite_code=new_invite_code(),
            invited_by=inviter,
            signup_share_token=attribution.share_token,
        )
        if inviter is not None:
            await User.filter(id=inviter.id).update(invited_count=F("invited_count") + 1)
    return user


def _clean_nickname(nickname: str) -> str:
    cleaned = " ".join(nickname.split())
    if not 1 <= len(cleaned) <= NICKNAME_MAX:
        raise BadInput("nickname_length", field="nickname", max=NICKNAME_MAX)
    # Direction controls turn a name around in every list it is shown in (`\u202enimda`).
    if any(char in _BIDI_CONTROLS for char in cleaned):
        raise BadInput("nickname_bidi", field="nickname")
    if is_blank(cleaned):
        raise BadInput("nickname_blank", field="nickname")
    if _stacks_marks(cleaned):
        raise BadInput("nickname_stacked_marks", field="nickname")
    return cleaned


def _stacks_marks(text: str) -> bool:
    run = 0
    for char in unicodedata.normalize("NFD", text):
        run = run + 1 if unicodedata.category(char).startswith("M") else 0
        if run > _MARKS_PER_LETTER:
            return True
    return False


def _nickname_key(nickname: str) -> str:
    # Names that fold alike (look-alike letters, traditional characters, invisible marks,
    # punctuation) read alike; a name of symbols only is compared as written.
    return skeleton(nickname) or unicodedata.normalize("NFKC", nickname).casefold()


async def _refuse_staff_copy(nickname: str, user_id: int | None = None) -> None:
    """A name that reads as a moderator's, operator's or admin's is theirs alone."""
    key = _nickname_key(nickname)
    staff = User.filter(role__in=_STAFF)
    if user_id is not None:
        staff = staff.exclude(id=user_id)
    for taken in await staff.values_list("nickname", flat=True):
        if _nickname_key(str(taken)) == key:
            raise BadInput("nickname_staff", field="nickname")


def _clean_avatar_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or len(url) > AVATAR_URL_MAX:
        raise BadInput("avatar_url", field="avatarUrl")
    return url


async def update_profile(
    user: User,
    *,
    nickname: str | None = None,
    bio: str | None = None,
    avatar_url: str | None = None,
    screener: Screening,
) -> User:
    """Change what the member chose to change; every value is checked before anything is saved.
    A profile is public at once, so text that would need review is refused outright."""
    from domain.publishing import check_can_publish, screen_texts
    from domain.screening import Scene

    check_can_publish(user)
    changes: dict[str, str] = {}
    if nickname is not None:
        changes["nickname"] = _clean_nickname(nickname)
        await _refuse_staff_copy(changes["nickname"], user.id)
    if bio is not None:
        bio = bio.strip()
        if len(bio) > BIO_MAX:
            raise BadInput("bio_length", field="bio", max=BIO_MAX)
        changes["bio"] = bio
    if avatar_url is not None:
        changes["avatar_url"] = _clean_avatar_url(avatar_url) if avatar_url.strip() else ""
    if nickname or bio:
        texts = [("nickname", changes.get("nickname", "")), ("bio", changes.get("bio", ""))]
        verdict = await screen_texts(screener, user, texts, Scene.PROFILE)
        if verdict.needs_review:
            raise ContentRejected(field="nickname" if nickname else "bio")
    if changes:
        await User.filter(id=user.id).update(**changes, updated_at=datetime.now(UTC))
        await user.refresh_from_db()
    return user


async def set_role(user_id: int, role: Role) -> User:
    """Give a member a role (the deployer's way to make the first ADMIN)."""
    updated = await User.filter(id=user_id).update(role=role, updated_at=datetime.now(UTC))
    if not updated:
        raise NotFound()
    return await User.get(id=user_id)
