"""The sensitive-word filter: an Aho-Corasick automaton over a folded skeleton of the text.

Listed words and member texts are folded the same way, so every disguise below folds away:
- compatibility forms (full-width, circled, mathematical letters) and case: NFKD, casefold;
- accents, variation selectors (U+FE0F, U+E0100, U+180B), the combining grapheme joiner and
  every other combining mark, Hangul fillers (U+3164, U+FFA0), zero-width and other format
  characters, spaces, symbols, emoji and punctuation slipped between the characters: dropped;
- look-alike letters from Cyrillic, Greek and other scripts: folded to the Latin letter they
  imitate, from Unicode's confusables data (package confusable-homoglyphs);
- traditional characters: folded to simplified with OpenCC's character dictionaries.

Clause punctuation (，。！？；：、 and line breaks) is seen through too, but a match that
crosses it is weighed: when the word's pieces are whole clauses (`赌，博`, `赌\\n博`) it is an
evasion and keeps its level; when the word only straddles the end of one clause and the start of
the next (`去西藏，独自旅行`) it may well be two innocent words, so it is reported at REVIEW
level, never BLOCK: a person decides."""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

import ahocorasick
import opencc
from confusable_homoglyphs.confusables import confusables_data

from domain.models import WordLevel

_CLAUSE = "\n"
# In NFKD form: the full-width ，！？；： fold to their ASCII forms before the lookup.
_CLAUSE_MARKS = frozenset(",!?;:。、\n\u2028\u2029")
# Letters (category Lo) that render as nothing; NFKD folds U+3164 and U+FFA0 to U+1160.
_INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")
# Scripts whose letters confusables.txt pairs with kana or radicals: folding those would turn
# one real Chinese character into another, so only other scripts' look-alikes are folded.
_EAST_ASIAN = ("CJK", "KATAKANA", "HIRAGANA", "HANGUL", "BOPOMOFO", "KANGXI", "YI ")
# Distinct characters remembered by the fold table; rarer ones are worked out on each use, so
# a text made of every code point cannot grow the table without bound.
_TABLE_MAX = 65_536


@cache
def _latin_look_alikes() -> dict[str, str]:
    """Non-Latin letters that Unicode lists as confusable with one ASCII letter."""
    table: dict[str, str] = {}
    for char, homoglyphs in confusables_data.items():
        if len(char) != 1 or char.isascii() or not unicodedata.category(char).startswith("L"):
            continue
        if unicodedata.name(char, "").startswith(_EAST_ASIAN):
            continue
        latin = [h["c"] for h in homoglyphs if len(h["c"]) == 1 and h["c"].isascii()]
        latin = [c for c in latin if c.isalpha()]
        if latin:
            table[char] = latin[0]
    return table


@cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _simplified(char: str) -> str:
    # One character at a time, never phrases: a phrase rule would fold `乾隆` and `乾 隆`
    # differently, and the fold must not depend on what the disguise put around a character.
    converted: str = _converter().convert(char)
    return converted if len(converted) == 1 else char


class _FoldTable(dict[int, str | None]):
    """str.translate's table, filled the first time each character is seen."""

    def __missing__(self, code: int) -> str | None:
        char = chr(code)
        folded: str | None
        if char in _CLAUSE_MARKS:
            folded = _CLAUSE
        elif char in _INVISIBLE_LETTERS:
            folded = None
        elif char in _latin_look_alikes():
            folded = _latin_look_alikes()[char]
        else:
            category = unicodedata.category(char)
            # Letters and numbers stay. Marks (M*), separators (Z*), controls and format
            # characters (C*), symbols and emoji (S*) and other punctuation (P*) are what
            # people slip between characters.
            if category[0] not in "LN":
                folded = None
            elif category == "Lo" and code >= 0x2E80:
                folded = _simplified(char)
            else:
                folded = char
        if len(self) < _TABLE_MAX:
            self[code] = folded
        return folded


_TABLE = _FoldTable()


def _fold(text: str) -> str:
    """The folded text, each run of clause punctuation kept as one line break."""
    # Look-alikes are case-sensitive (Cyrillic В imitates B, в imitates nothing): casefold last.
    return unicodedata.normalize("NFKD", text).translate(_TABLE).casefold()


def skeleton(text: str) -> str:
    """The text as the filter sees it: folded, with disguising characters removed."""
    return _fold(text).replace(_CLAUSE, "")


def is_blank(text: str) -> bool:
    """Whether the text shows nothing: spaces, controls, format characters, combining marks and
    letters that render as nothing (Hangul fillers, the braille blank) only."""
    return all(
        char in _INVISIBLE_LETTERS or char == "\u2800" or unicodedata.category(char)[0] in "ZCM"
        for char in unicodedata.normalize("NFKD", text)
    )


@dataclass(frozen=True)
class Match:
    word: str
    level: WordLevel


@dataclass(frozen=True)
class Located:
    """One occurrence of a listed word: where it stands in the text as given, in UTF-16 code
    units (what JavaScript counts), `end` exclusive, disguising characters inside included."""

    word: str
    level: WordLevel
    start: int
    end: int


@dataclass(frozen=True)
class _Clauses:
    """Where each clause of a folded text starts once the clause marks are taken out."""

    starts: list[int]
    length: int

    @classmethod
    def of(cls, pieces: list[str]) -> _Clauses:
        starts, position = [], 0
        for piece in pieces:
            if piece:
                starts.append(position)
                position += len(piece)
        return cls(starts, position)

    def split_into_whole_clauses(self, start: int, end: int) -> bool | None:
        """None when [start, end] lies in one clause; else whether it begins a clause and ends
        one, so that every piece of the word is a clause of its own."""
        first = bisect_right(self.starts, start) - 1
        last = bisect_right(self.starts, end) - 1
        if first == last:
            return None
        following = self.starts[last + 1] if last + 1 < len(self.starts) else self.length
        return self.starts[first] == start and following == end + 1


@dataclass
class WordFilter:
    """Built once from the word list; `scan` is pure and thread-safe."""

    version: str | None = None
    _automaton: ahocorasick.Automaton | None = field(default=None, repr=False)

    @classmethod
    def build(
        cls, words: Iterable[tuple[str, WordLevel]], version: str | None = None
    ) -> WordFilter:
        automaton = ahocorasick.Automaton()
        count = 0
        for word, level in words:
            key = skeleton(word)
            if key:
                previous = automaton.get(key, None)
                # BLOCK wins when a word is listed at both levels.
                if previous is None or previous[1] != WordLevel.BLOCK:
                    automaton.add_word(key, (word, WordLevel(level), len(key)))
                    count += 1
        if count:
            automaton.make_automaton()
            return cls(version, automaton)
        return cls(version, None)

    def scan(self, text: str) -> list[Match]:
        """Every listed word in the text (each once, at its highest level), BLOCK words first."""
        if self._automaton is None or not text:
            return []
        folded = _fold(text)
        clauses = None
        if _CLAUSE in folded:
            pieces = folded.split(_CLAUSE)
            clauses = _Clauses.of(pieces)
            folded = "".join(pieces)
        found: dict[str, WordLevel] = {}
        for end, (word, level, length) in self._automaton.iter(folded):
            if clauses is not None and level == WordLevel.BLOCK:
                whole = clauses.split_into_whole_clauses(end - length + 1, end)
                if whole is False:
                    level = WordLevel.REVIEW
            if found.get(word) != WordLevel.BLOCK:
                found[word] = level
        return sorted(
            (Match(w, lv) for w, lv in found.items()),
            key=lambda m: (m.level != WordLevel.BLOCK, m.word),
        )

    def locate(self, text: str) -> list[Located]:
        """Every occurrence of a listed word, in text order, with the level `scan` would give
        it there: the text is folded one character at a time (the same fold as a whole, see
        `_fold`), remembering which character each folded one came from."""
        if self._automaton is None or not text:
            return []
        folded: list[str] = []
        origin: list[int] = []  # the index in `text` of each folded character
        units = [0]  # UTF-16 offset of each character of `text`, and of its end
        for index, char in enumerate(text):
            units.append(units[-1] + (2 if ord(char) > 0xFFFF else 1))
            for piece in _fold(char):
                folded.append(piece)
                origin.append(index)
        pieces = "".join(folded).split(_CLAUSE)
        clauses = _Clauses.of(pieces) if len(pieces) > 1 else None
        kept = [(c, i) for c, i in zip(folded, origin, strict=True) if c != _CLAUSE]
        skeleton_text = "".join(c for c, _ in kept)
        found = []
        for end, (word, level, length) in self._automaton.iter(skeleton_text):
            start = end - length + 1
            if clauses is not None and level == WordLevel.BLOCK:
                if clauses.split_into_whole_clauses(start, end) is False:
                    level = WordLevel.REVIEW
            first, last = kept[start][1], kept[end][1]
            found.append(Located(word, level, units[first], units[last + 1]))
        return sorted(found, key=lambda m: (m.start, m.end, m.word))
