"""The sensitive-word filter: an Aho-Corasick automaton over a normalized skeleton of the text.

Normalization defeats the usual disguises: full-width forms and case are folded (NFKC,
casefold), and zero-width characters, spaces, symbols and punctuation slipped between the
characters of a word are dropped. Sentence punctuation (，。！？；：、 and line breaks) is kept as
a boundary, so words of two neighbouring clauses never join into a false match."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import ahocorasick

from domain.models import WordLevel

_BOUNDARIES = frozenset(",!?;:。、\n")


def _keep(ch: str) -> bool:
    if ch in _BOUNDARIES:
        return True
    category = unicodedata.category(ch)
    # Letters, numbers and combining marks stay; separators (Z*), controls and format
    # characters such as zero-width joiners (C*), symbols and emoji (S*) and other
    # punctuation (P*) are what people slip between characters.
    return category[0] in "LNM"


def skeleton(text: str) -> str:
    """The text as the filter sees it: folded, with disguising characters removed."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if _keep(ch))


@dataclass(frozen=True)
class Match:
    word: str
    level: WordLevel


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
                    automaton.add_word(key, (word, WordLevel(level)))
                    count += 1
        if count:
            automaton.make_automaton()
            return cls(version, automaton)
        return cls(version, None)

    def scan(self, text: str) -> list[Match]:
        """Every listed word in the text (each once), BLOCK words first."""
        if self._automaton is None or not text:
            return []
        found: dict[str, WordLevel] = {}
        for _, (word, level) in self._automaton.iter(skeleton(text)):
            found[word] = level
        return sorted(
            (Match(w, lv) for w, lv in found.items()),
            key=lambda m: (m.level != WordLevel.BLOCK, m.word),
        )
