"""Finding listed terms in a comment: every term in one pass, not fooled by a character.

The moderation rules look for words (disallowed terms, crisis language, the
cues of personal data) in what a reader sent. Two things make that hard:

- **Scale.** Community blocklists run to tens of thousands of terms. Scanning
  the text once per term costs time in proportion to the list; an
  Aho-Corasick automaton (pyahocorasick) finds every term in one pass over the
  text, whatever the list's length. It is built once per process for each
  version of the list (``terms_version``), not per comment.
- **Disguise.** ``v\\u200biagra`` (a zero-width space), ``vіagra`` (a Cyrillic
  і) or ``VIAGRA`` (full-width letters) read as the term but are other
  characters. Text and terms are both folded by ``normalise``: compatibility
  forms decomposed (NFKD) with their accents dropped, invisible characters
  removed, case folded, letters that look like Latin letters replaced by them
  (Unicode's confusables, from confusable-homoglyphs), and runs of spaces
  and dashes made one space. ``Normalised.origin`` maps each folded character
  back to the original text, so a match can be highlighted where it was typed.
"""

from __future__ import annotations

import functools
import json
import unicodedata
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

import ahocorasick

from comments.models import TermListVersion

# Categories dropped from text before matching: combining marks (accents,
# once decomposed) and format characters (zero-width spaces and joiners,
# direction marks, soft hyphens).
DROPPED_CATEGORIES = frozenset({"Mn", "Me", "Cf"})
# Spaces and every kind of dash separate words alike: "self-harm", "self harm".
SEPARATOR_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Pd"})
# Letters (category Lo) that show as nothing: the Hangul fillers and the
# blank Braille pattern, used to split a word invisibly.
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


@functools.cache
def _confusables() -> dict[str, str]:
    """Characters that look like one ASCII letter or digit, and that character."""
    data = json.loads(
        resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8")
    )
    folds = {}
    for character, homoglyphs in data.items():
        if len(character) != 1 or character.isascii():
            continue
        for homoglyph in homoglyphs:
            look_alike = homoglyph["c"]
            if len(look_alike) == 1 and look_alike.isascii() and look_alike.isalnum():
                folds[character] = look_alike.lower()
                break
    return folds


@functools.lru_cache(maxsize=65536)
def _fold(character: str) -> str:
    """One character as it is compared: "" (dropped), " " (a separator) or letters."""
    if character.isspace() or unicodedata.category(character) in SEPARATOR_CATEGORIES:
        return " "
    folded = []
    look_alikes = _confusables()
    for part in unicodedata.normalize("NFKD", character):
        if part in BLANK_LETTERS or unicodedata.category(part) in DROPPED_CATEGORIES:
            continue
        # A capital may look Latin where its small letter does not (Cyrillic
        # "В" looks like "B", "в" like nothing): fold before the case too.
        part = look_alikes.get(part, part)
        for letter in part.casefold():
            folded.append(look_alikes.get(letter, letter))
    return "".join(folded)


@dataclass(frozen=True)
class Normalised:
    """Folded text, and for each of its characters the index it came from."""

    text: str
    origin: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original text's span of the folded ``text[start:end]``."""
        return self.origin[start], self.origin[end - 1] + 1


def normalise(text: str) -> Normalised:
    """``text`` folded for matching (see the module's docstring), with its origins."""
    out: list[str] = []
    origin: list[int] = []
    for index, character in enumerate(text):
        folded = _fold(character)
        if folded == " " and (not out or out[-1] == " "):
            continue  # one space for a run, none at the start
        for letter in folded:
            out.append(letter)
            origin.append(index)
    if out and out[-1] == " ":
        out.pop()
        origin.pop()
    return Normalised("".join(out), tuple(origin))


def fold_term(term: str) -> str:
    """A listed term as it is matched."""
    return normalise(term).text


@dataclass(frozen=True)
class Match:
    """A term found in a text: what was listed (``payload``) and where (original indices).

    ``whole_word``: the term neither starts nor ends inside a word ("end it
    all" is not whole in "spend it all").
    """

    payload: Any
    start: int
    end: int
    whole_word: bool


class TermMatcher:
    """Every listed term found in one pass over a normalised text.

    Built from ``(term, payload)`` pairs; a term listed twice keeps both
    payloads. ``whole_words`` finds only whole words ("born" is not in
    "stubborn"); otherwise every match says whether it is one.
    """

    def __init__(self, terms: Iterable[tuple[str, Any]], *, whole_words: bool = False) -> None:
        self.whole_words = whole_words
        self._automaton = ahocorasick.Automaton()
        payloads: dict[str, list] = {}
        for term, payload in terms:
            folded = fold_term(term)
            if folded:
                payloads.setdefault(folded, []).append(payload)
        for folded, listed in payloads.items():
            self._automaton.add_word(folded, (len(folded), tuple(listed)))
        self.size = len(payloads)
        if self.size:
            self._automaton.make_automaton()

    def find(self, text: Normalised) -> Iterator[Match]:
        """Each occurrence of each term in ``text``, with its payloads, in order of ending."""
        if not self.size or not text.text:
            return
        folded = text.text
        for last, (length, listed) in self._automaton.iter(folded):
            first = last - length + 1
            whole = _whole_word(folded, first, last + 1)
            if self.whole_words and not whole:
                continue
            start, end = text.span(first, last + 1)
            for payload in listed:
                yield Match(payload, start, end, whole)


def _whole_word(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not before.isalnum() and not after.isalnum()


# --- one matcher per version of a term list, shared by the requests of a process


def terms_version(name: str) -> str:
    """The version of the term list ``name``: one indexed row, read on every use.

    In the database, not the cache: it changes in the transaction that
    changes the list, so every process sees it when the change commits, and
    a rolled-back change never happened.
    """
    version = TermListVersion.objects.filter(name=name).values_list("version", flat=True)
    return version.first() or ""


def terms_changed(name: str) -> None:
    """Say that the term list ``name`` changed (the admin's saves do; bulk writes must)."""
    TermListVersion.objects.update_or_create(name=name, defaults={"version": uuid.uuid4().hex})


_built: dict[str, tuple[Any, TermMatcher]] = {}


def matcher_for(name: str, key: Any, build) -> TermMatcher:
    """The matcher of the term list ``name``; ``build()`` again when its version or ``key`` changed.

    ``terms_version(name)`` is read before ``build`` reads the terms, so a
    change committed meanwhile gives a newer version and another rebuild.
    """
    current = (terms_version(name), key)
    built = _built.get(name)
    if built is None or built[0] != current:
        built = (current, build())
        _built[name] = built
    return built[1]
