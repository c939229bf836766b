"""What the domain needs from outside, as small interfaces the composition root fills with
adapters (WeChat, file storage, image decoding). The domain never imports an HTTP client or an
image library; the adapters implement these shapes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Protocol


@dataclass(frozen=True)
class WeChatIdentity:
    openid: str
    unionid: str | None


class CodeExchanger(Protocol):
    """Turns a mini-program's wx.login() code into the member's identity (jscode2session)."""

    async def code_to_session(self, code: str) -> WeChatIdentity:
        """Raise a QuanziError the client can act on when the code is refused or WeChat is
        unavailable."""
        ...


class Scene(IntEnum):
    """Where a text is shown, as WeChat's content-security check numbers it."""

    PROFILE = 1
    COMMENT = 2
    FORUM = 3


class Suggestion(StrEnum):
    """A content checker's verdict on one text."""

    PASS = "pass"
    REVIEW = "review"
    RISKY = "risky"


class ContentChecker(Protocol):
    """A second opinion on member text after the local word filter (WeChat msg_sec_check)."""

    async def check_text(self, *, openid: str, content: str, scene: Scene) -> Suggestion:
        """Never raises for an outage: a checker that cannot answer says PASS, so an outage
        does not stop the community from writing."""
        ...


@dataclass(frozen=True)
class SendResult:
    sent: bool
    retry: bool  # a transient failure: the job should try again


class SubscribeMessageSender(Protocol):
    """Delivers one WeChat subscribe message (subscribe/send)."""

    async def send_subscribe_message(
        self, *, openid: str, template_id: str, page: str, data: dict[str, str]
    ) -> SendResult:
        """`data` maps the template's field names (thing1, time2, …) to their values."""
        ...


class AlertPusher(Protocol):
    """Announces a new alert to the operations team's chat (a WeCom group robot)."""

    async def push_markdown(self, content: str) -> bool:
        """True when the chat took the message; an outage or a refusal is logged and answers
        False, never raises."""
        ...


class MediaStore(Protocol):
    """Where uploaded files go (a local directory or an S3-compatible bucket)."""

    async def save(self, key: str, data: bytes, content_type: str) -> None:
        """Raise ServiceUnavailable when the file could not be stored."""
        ...


class UnreadableImage(Exception):
    """The bytes are not an image the inspector can decode (or a decompression bomb)."""


@dataclass(frozen=True)
class ImageHeader:
    content_type: str
    width: int
    height: int
    frames: int = 1  # how many frames re-encoding decodes, each of width × height


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


class ImageInspector(Protocol):
    """Decodes uploaded images. Both calls are CPU-bound and synchronous; the domain runs them
    in a worker thread. Both raise UnreadableImage for bytes they cannot decode."""

    def probe(self, data: bytes, *, max_frames: int) -> ImageHeader:
        """The image's type, size and frame count, read from its headers without decoding the
        pixels; frames are counted only until there are more than `max_frames`."""
        ...

    def strip_metadata(self, data: bytes) -> CleanImage:
        """The image re-encoded in its own format without EXIF, GPS, comments or XMP (keeping
        its orientation and colour profile)."""
        ...
