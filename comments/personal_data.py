"""Personal data a reader typed into a comment: phone numbers, emails, dates of birth, addresses.

A health site's commenters tell their stories; some give away more than they
mean to ("call me on 07700 900123", "born 3/4/1961"). The ``personal_data``
rule holds such a comment for a moderator, with the matches highlighted, so
it is never published as sent. Each finder returns ``(kind, (start, end))``
in the original text. The cues ("born", "DOB", "Street") go through the same
matcher as the term rules, so a disguised cue is found alike.
"""

from __future__ import annotations

import functools
import re

import phonenumbers

from comments.matching import TermMatcher, normalise

# National digits a number must have to count (US numbers have 10, UK 10, DE 6-11).
MIN_PHONE_DIGITS = 9
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
DATE_RE = re.compile(
    r"\b(?:"
    r"\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})"  # 3/4/1961, 03.04.61
    r"|\d{4}-\d{1,2}-\d{1,2}"  # 1961-04-03
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}"  # 3rd of April 1961
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"  # April 3, 1961
    r")\b",
    re.IGNORECASE,
)
BIRTH_CUES = ["born", "dob", "d.o.b", "date of birth", "birth date", "birthdate", "birthday"]
# A date this close after a cue ("born 3/4/1961"), or before one ("3/4/1961
# is my birthday"), in the same sentence, is taken as a birth date.
BIRTH_AFTER, BIRTH_BEFORE = 30, 20
SENTENCE_END = re.compile(r"[.;!?\n](?:\s|$)")

# Words that end a street's name, capitalised as in an address. Words that
# are often something else next to a number are left out ("6 Months Dr
# Patel", "2 Tylenol Close to bedtime", "1 way").
STREET_WORDS = [
    "street", "st", "road", "rd", "avenue", "ave", "lane", "ln", "drive",
    "boulevard", "blvd", "crescent", "terrace", "square", "gardens", "grove",
]  # fmt: skip
# A house number, then one to three capitalised words, ending where a street word starts.
HOUSE_RE = re.compile(r"\b(\d{1,5})[A-Za-z]?,?(?:\s+[A-Z][\w'.-]*){1,3}\s+$")
# Four digits from 1900 to 2099 before a name are a year ("In 2019 Baker Street...").
YEAR_RE = re.compile(r"(?:19|20)\d\d")


@functools.cache
def _cues() -> TermMatcher:
    return TermMatcher(
        [*((cue, "birth") for cue in BIRTH_CUES), *((word, "street") for word in STREET_WORDS)],
        whole_words=True,
    )


def find_personal_data(text: str, *, region: str | None) -> list[tuple[str, tuple[int, int]]]:
    """Every piece of personal data in ``text``: ``(kind, (start, end))``, in order."""
    found = [("email address", match.span()) for match in EMAIL_RE.finditer(text)]
    emails = [span for _, span in found]
    # Possible, not only valid, numbers: the library's data lags new ranges,
    # and a reader's real number must not slip through for it. Long enough,
    # though, that a year or a dose ("since 2019, 1500 mg") is no number.
    matcher = phonenumbers.PhoneNumberMatcher(
        text, region or "ZZ", leniency=phonenumbers.Leniency.POSSIBLE
    )
    for match in matcher:
        span = (match.start, match.end)
        digits = len(str(match.number.national_number))
        if digits >= MIN_PHONE_DIGITS and not any(start <= span[0] < end for start, end in emails):
            found.append(("phone number", span))
    for cue in _cues().find(normalise(text)):
        if cue.payload == "birth":
            low, high = max(0, cue.start - BIRTH_BEFORE), cue.end + BIRTH_AFTER
            for date in DATE_RE.finditer(text, low, high):
                if date.end() <= cue.start:
                    between = text[date.end() : cue.start]
                else:  # "D.O.B. 3/4/1961": the cue's own full stop ends no sentence
                    between = text[cue.end : date.start()].lstrip(".")
                if not SENTENCE_END.search(between):
                    found.append(("date of birth", date.span()))
        elif text[cue.start].isupper():
            house = HOUSE_RE.search(text[: cue.start], max(0, cue.start - 60))
            if house and not YEAR_RE.fullmatch(house.group(1)):
                found.append(("street address", (house.start(), cue.end)))
    return sorted(set(found), key=lambda item: item[1])
