"""Which left-to-right runs of an Arabic line on paper keep their own order (pure: no I/O).

Pillow's raqm lays each raster line out with the Unicode bidi algorithm (FriBiDi) in a
right-to-left paragraph. Left alone, the algorithm turns Western digits that follow Arabic
letters into Arabic numbers (rule W2), after which a date's hyphens, a minus sign or a percent
sign no longer stay with their number ("2025-03-14" prints as "14-03-2025", "-9.00" as
"9.00-", "10%" as "%10"), and a code such as "INV-000123" breaks at its hyphen. Wrapping
every left-to-right stretch in one isolate, as the first version did, fixed those but
swallowed the spaces and brackets between numbers: "مقعد 1 (1/4)" kept "1 (1/4" left to right
and left the ")" outside, so the brackets came out scrambled.

So a line is cut into the runs a reader sees, and each is wrapped in a bidi isolate (LRI ...
PDI, Unicode 6.3), which the algorithm lays out as one left-to-right unit:

- after an Arabic letter (or at the start), each number is its own run, with its sign, its
  inner separators and a trailing percent sign: "1", "1/4", "-9.00", "1,234.50", "10%",
  "2025-03-14", "19:42". The spaces and brackets between numbers stay in the right-to-left
  sentence, where the algorithm pairs and mirrors the brackets (rule N0): "مقعد 1 (1/4)" reads
  from the right "مقعد", "1", "(1/4)", as a browser shows the same text on an Arabic page;
- from a Latin letter (or a number glued to one, "4T") up to the last Latin letter or digit
  before the next Arabic letter, everything is one run: "Ribeye steak 300 g", "visa **** 1234",
  "INV-000123", "Mixed grill (large)" (what rule W7 would make of it), with its brackets
  balanced: a bracket whose partner lies outside the run stays outside it.

Isolates already in the text are dropped first, so the rule is the only one applied.
"""

from __future__ import annotations

import re
import unicodedata

LRI, PDI = "\u2066", "\u2069"
_OPEN = {"(": ")", "[": "]", "{": "}"}
_CLOSE = {close: open_ for open_, close in _OPEN.items()}
_OUR_CONTROLS = dict.fromkeys(map(ord, "\u2066\u2067\u2068\u2069"))
# A number as a reader takes it in: a sign, digit groups joined by one separator, a percent.
_NUMBER = re.compile(r"[+\-\u2212]?[0-9]+(?:[.,:/\-][0-9]+)*%?")
_WORD_TAIL = re.compile(r"[0-9]*")


def _kind(ch: str) -> str:
    return unicodedata.bidirectional(ch)


def _is_rtl(ch: str) -> bool:
    return _kind(ch) in ("R", "AL")


def _is_latin(ch: str) -> bool:
    """A strong left-to-right letter (Latin, Greek, ...), not a digit."""
    return _kind(ch) == "L"


def _is_strong_end(ch: str) -> bool:
    return _kind(ch) == "L" or "0" <= ch <= "9"


def isolate_runs(text: str) -> str:
    """`text` with each left-to-right run wrapped in LRI ... PDI (see the module docstring)."""
    text = text.translate(_OUR_CONTROLS)
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        digits_then_letter = "0" <= ch <= "9" and _glued_to_letter(text, i)
        if _is_latin(ch) or digits_then_letter:
            end = _latin_run_end(text, i)
            out.append(LRI + text[i:end] + PDI)
            i = end
            continue
        number = _NUMBER.match(text, i)
        if number and _sign_is_its_own(text, i, number.group()):
            out.append(LRI + number.group() + PDI)
            i = number.end()
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _glued_to_letter(text: str, i: int) -> bool:
    """Digits at `i` followed at once by a Latin letter ("4T", "2x")."""
    end = _WORD_TAIL.match(text, i).end()
    return end < len(text) and _is_latin(text[end])


def _sign_is_its_own(text: str, i: int, number: str) -> bool:
    """A leading '-' or '+' belongs to the number unless it joins two words ("a-1")."""
    if number[0].isdigit() or i == 0:
        return True
    before = text[i - 1]
    return not (_is_latin(before) or "0" <= before <= "9")


def _latin_run_end(text: str, start: int) -> int:
    """Where the left-to-right run starting at `start` ends (exclusive)."""
    limit = start
    while limit < len(text) and not _is_rtl(text[limit]):
        limit += 1
    end = _trim(text, start, limit)
    while True:
        balanced = _balance(text, start, end, limit)
        if balanced == end:
            return end
        end = balanced


def _trim(text: str, start: int, end: int) -> int:
    """Back from `end` to just after the last letter, digit or percent after a digit."""
    while end > start + 1:
        ch = text[end - 1]
        if _is_strong_end(ch) or (ch == "%" and "0" <= text[end - 2] <= "9"):
            break
        if ch in _CLOSE and _CLOSE[ch] in text[start : end - 1]:
            break  # a closing bracket of the run ends it (balanced later)
        end -= 1
    return end


def _balance(text: str, start: int, end: int, limit: int) -> int:
    """The run's end with its brackets paired: a closer whose opener is outside cuts the run
    before it; an opener takes its closer if it comes before `limit`, else cuts the run."""
    stack: list[int] = []
    for at in range(start, end):
        ch = text[at]
        if ch in _OPEN:
            stack.append(at)
        elif ch in _CLOSE:
            if stack and text[stack[-1]] == _CLOSE[ch]:
                stack.pop()
            else:
                return _trim(text, start, at)
    if not stack:
        return end
    closer = _closer(text, stack[0], limit)
    if closer is None:
        return _trim(text, start, stack[0])
    return closer + 1


def _closer(text: str, opener: int, limit: int) -> int | None:
    """Where the bracket at `opener` closes, before `limit`; None if it does not."""
    depth: list[str] = []
    for at in range(opener, limit):
        ch = text[at]
        if ch in _OPEN:
            depth.append(_OPEN[ch])
        elif ch in _CLOSE:
            if not depth or depth[-1] != ch:
                return None
            depth.pop()
            if not depth:
                return at
    return None
