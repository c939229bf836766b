"""Reading a Stack Exchange data dump (Users.xml, Posts.xml, Comments.xml): rows of
attributes, with helpers for its markup, times and tags. Used by the importer and by the
recommender's offline evaluation."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

Row = dict[str, str]

_TAG = re.compile(r"<([^<>]+)>|\|([^|]+)\|")
_HTML_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Dump:
    name: str  # the dump's directory, e.g. "cardano.stackexchange.com"
    users: list[Row]
    posts: list[Row]
    comments: list[Row]


def rows(path: Path) -> list[Row]:
    """The attributes of every row of one of the dump's XML files."""
    return [dict(el.attrib) for el in ET.parse(path).getroot()]


def read_dump(directory: Path) -> Dump:
    return Dump(
        name=directory.resolve().name,
        users=rows(directory / "Users.xml"),
        posts=rows(directory / "Posts.xml"),
        comments=rows(directory / "Comments.xml"),
    )


def text_of(markup: str) -> str:
    """Plain text of a post body: tags dropped, entities decoded, whitespace folded."""
    return " ".join(html.unescape(_HTML_TAG.sub(" ", markup or "")).split())


def parse_time(value: str) -> datetime:
    """The dump's times are UTC without a zone."""
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def tags_of(value: str, *, max_length: int, limit: int = 5) -> list[str]:
    """A question's tags (`<a><b>` or `|a|b|`), the first `limit` of at most `max_length`."""
    names = [a or b for a, b in _TAG.findall(value or "")]
    return [n for n in names if 1 <= len(n) <= max_length][:limit]
