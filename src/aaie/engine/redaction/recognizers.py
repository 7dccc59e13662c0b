"""AAIE's own PII recognizers (regex + context), added to Presidio's analyzer.

Presidio's defaults miss most student-essay PII shapes (handles, street addresses, school ids,
header lines such as ``Name: ...``), so each type here has explicit patterns. A pattern may mark
the part to redact with a named group ``v``; the rest of the match is context only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

_NAME_WORD = r"[A-Z][a-zA-Z'’\-]+"
_FULL_NAME = rf"{_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{0,2}}"
_STREET_SUFFIX = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Drive|Dr|Court|Ct|Boulevard|Blvd|Way|Place|Pl|"
    r"Terrace|Ter|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Trail|Trl|Square|Sq|Row|Crescent|Close|"
    r"Loop|Path|Pike|Alley|Plaza)"
)
_US_STATES = (
    r"(?:AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|"
    r"NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC)"
)
_ORG_SUFFIX = (
    r"(?:Elementary(?:[ \t]+School)?|Middle[ \t]+School|High[ \t]+School|School|Academy|College|"
    r"University|Library|Club|YMCA|YWCA|Center|Centre|Bank|Tutoring|Institute|Church|Hospital|"
    r"Company|Inc\.?|Corp\.?|LLC|Foundation|Association|Society|Team|Museum)"
)
_SIGN_OFF = (
    r"(?:Sincerely|Regards|Best regards|Kind regards|Best|Thanks|Thank you|Cheers|Yours truly|"
    r"Yours|Respectfully|From your reader|Love|Warmly|Your student|Signed)"
)


@dataclass(frozen=True)
class Pattern:
    regex: re.Pattern[str]
    score: float


def _p(pattern: str, score: float, flags: int = 0) -> Pattern:
    return Pattern(re.compile(pattern, flags), score)


PATTERNS: dict[str, list[Pattern]] = {
    "EMAIL": [
        _p(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}", 1.0),
    ],
    "URL": [
        _p(r"\bhttps?://[^\s<>\"')\]]+", 0.95),
        _p(r"\bwww\.[^\s<>\"')\]]+", 0.95),
        # Bare personal domains / profile paths: name.blogspot.com, github.com/x, site.com
        _p(
            r"(?<![@\w.])(?:[a-z0-9-]+\.)+(?:com|org|net|io|me|edu|blog|info|co|us|dev|app|page|"
            r"site|xyz|tv)(?:/[^\s<>\"')\]]*)?(?![\w@])",
            0.6,
            re.IGNORECASE,
        ),
    ],
    "PHONE": [
        _p(r"(?<![\w+])(?:\+?1[ .\-]?)?\(?\d{3}\)?[ .\-]?\d{3}[ .\-]\d{4}(?!\d)", 0.9),
        _p(r"(?<![\w+])(?:\+?1[ .\-]?)?\(\d{3}\)\d{3}-?\d{4}(?!\d)", 0.9),
        _p(r"(?<![\w+])\+\d{1,3}(?:[ .\-]?\(?\d{1,4}\)?){2,5}\d(?!\d)", 0.8),
        _p(r"(?<![\w+])\+\d{1,3}[ \t]?\(0\)[ \t]?\d{1,4}(?:[ .\-]\d{2,4}){2,4}(?!\d)", 0.8),
        _p(r"(?<!\d)0\d{3,4}[ \t]?\d{3}[ \t]?\d{3,4}(?!\d)", 0.6),  # UK-style 07700 063 966
        _p(r"(?<![\w+])\(\d{2,3}\)[ \t]?\d{4}-\d{4}(?!\d)", 0.7),  # (71) 4233-6306
        _p(r"(?<![\w+])\d{3}[ .\-]\d{3}[ .\-]\d{4}[ \t]?(?:x|ext\.?)[ \t]?\d{1,5}\b", 0.9),
        _p(r"(?<!\d)\d{10}(?!\d)", 0.4),
    ],
    "STUDENT_ID": [
        _p(r"\b[Ss]\d{7}\b", 0.95),
        _p(
            r"\b(?:student[ \t]*(?:id|number|no\.?|#)|id[ \t]*(?:number|no\.?|#)?|"
            r"learner[ \t]*id|matric(?:ulation)?[ \t]*(?:no\.?|number)?)"
            r"(?:[ \t]+(?:is|was))?[ \t]*[:#]?[ \t]*"
            r"(?P<v>(?=[A-Za-z0-9\-]*\d)[A-Za-z0-9][A-Za-z0-9\-]{3,14})\b",
            0.9,
            re.IGNORECASE,
        ),
        _p(r"\b[A-Z]{1,3}\d{6,9}\b", 0.5),
        _p(r"\b\d{2}[A-Z]{2,4}\d{3,6}\b", 0.5),
    ],
    "USERNAME": [
        _p(r"(?<![\w@.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?", 0.9),
        _p(
            r"\b(?:user[ \t]?name|handle|screen[ \t]?name|gamertag|login|account)"
            r"(?:[ \t]+(?:is|was))?[ \t]*[:=]?[ \t]*['\"“]?"
            r"(?P<v>@?[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_])?)",
            0.9,
            re.IGNORECASE,
        ),
    ],
    "ADDRESS": [
        _p(
            rf"\b\d{{1,6}}[ \t]+(?:[NSEW]\.?[ \t]+)?(?:[A-Z][a-zA-Z]+\.?[ \t]+){{1,3}}"
            rf"{_STREET_SUFFIX}\b\.?"
            r"(?:,?[ \t]*(?:Apt|Apartment|Suite|Unit|#)\.?[ \t]*\w+)?"
            rf"(?:,[ \t]*[A-Z][a-zA-Z]+(?:[ \t][A-Z][a-zA-Z]+)?,?[ \t]*{_US_STATES}"
            r"(?:[ \t]+\d{5}(?:-\d{4})?)?)?",
            0.9,
        ),
        _p(r"\b(?:P\.?O\.?[ \t]*Box|PSC[ \t]+\d+,?[ \t]*Box|Box)[ \t]+\d+", 0.8, re.IGNORECASE),
        # Apartment / suite / unit on its own ("Apt. 631", "Suite 464")
        _p(r"\b(?:Apt|Apartment|Suite|Ste|Unit|Flat)\.?[ \t]*#?[ \t]*\d+[A-Za-z]?\b", 0.7),
        # Continental street names: "Friedhofstrasse 33", "Præstevænget 15", "Koskikatu 25"
        _p(
            r"\b(?:\d{1,6}[ \t]+)?[A-ZÄÖÜÅÆØ][\w'’\-]*(?:strasse|straße|gasse|weg|platz|allee|"
            r"vej|vænget|gade|katu|tie|gatan|vägen|veien|laan|straat|plein)[ \t]+\d{1,5}[a-z]?\b",
            0.75,
            re.IGNORECASE,
        ),
        # "Via Roma 131", "Rua Cyro Franco 1213", "Avda. Generalísimo 6", "Calle Mayor 5"
        _p(
            r"\b(?:\d{1,6}[ \t]+)?(?:Via|Viale|Rua|Avenida|Avda\.|Calle|Carrera|Rue|Chemin|"
            r"Strada|Piazza|Plaza|Paseo)[ \t]+(?:[A-Z][\w'’\-]*[ \t]+){1,4}\d{1,5}\b",
            0.75,
        ),
        # house number + capitalised (any script) words + number, then a comma / line / unit:
        # "20789 Allika 46\n", "5049 Harjukuja 54, SEINÄJOKI", "233 Erzsébet tér 19."
        _p(
            r"\b\d{1,6}[ \t]+(?:[A-Z]|[^\x00-\x7F])[\w'’.\-]*"
            r"(?:[ \t]+[^\W\d_][\w'’.\-]*){0,3}[ \t]+\d{1,5}\b\.?"
            r"(?=[ \t]*(?:,|\n|$|Apt|Suite|Unit))",
            0.6,
        ),
        # number + capitalised words + a number, followed by Apt/Suite: "178 Piermark Drive..."
        _p(
            r"\b\d{1,6}[ \t]+(?:[A-Z][\w'’\-]*[ \t]+){1,4}(?:\d{1,5}[ \t]+)?"
            r"(?=(?:Apt|Suite|Unit)\b)",
            0.7,
        ),
    ],
    "PERSON": [
        _p(
            r"(?:^|\n)[ \t]*(?:Name|Student|Student name|Author|By|Written by|From)"
            r"[ \t]*[:\-][ \t]*"
            rf"(?P<v>{_NAME_WORD}(?:,[ \t]*{_NAME_WORD}|(?:[ \t]+{_NAME_WORD}){{0,2}}))",
            0.95,
            re.IGNORECASE,
        ),
        # "Mia Delgado (S4896620)" / "Mia Delgado, S4896620"
        _p(rf"(?:^|\n)[ \t]*(?P<v>{_FULL_NAME})[ \t]*[(,|][ \t]*[A-Z]{{0,3}}\d{{5,}}", 0.95),
        # A name alone on the first line, followed by an e-mail or id line (an essay header)
        _p(
            rf"^[ \t]*(?P<v>{_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{1,2}})[ \t]*\n"
            r"(?=[^\n]*(?:@|\d{5}))",
            0.9,
        ),
        # Sign-offs: "Sincerely,\nMia Delgado" / "- Mia (my username ...)"
        _p(rf"\b{_SIGN_OFF},?[ \t]*\n+[ \t]*(?P<v>{_FULL_NAME})", 0.9, re.IGNORECASE),
        _p(rf"(?:^|\n)[ \t]*[-–—~][ \t]*(?P<v>{_FULL_NAME})\b", 0.85),
        _p(
            rf"\b(?:my name is|my name's|I am called|I'm called|call me)[ \t]+(?P<v>{_FULL_NAME})",
            0.85,
        ),
    ],
    "ORGANIZATION": [
        _p(
            r"\b(?:(?:St\.|Saint)[ \t]+)?"
            rf"(?:{_NAME_WORD}[ \t]+){{1,3}}(?:and[ \t]+{_NAME_WORD}[ \t]+)?"
            rf"{_ORG_SUFFIX}\b",
            0.75,
        ),
    ],
    "LOCATION": [
        _p(rf"\b(?P<v>{_NAME_WORD}(?:[ \t]{_NAME_WORD})?),[ \t]*{_US_STATES}\b(?![a-z])", 0.6),
    ],
}

# Words that look like names at the start of a header/sign-off line but are not.
_NOT_NAMES = {
    "dear", "the", "i", "my", "we", "in", "on", "this", "that", "english", "language", "arts",
    "period", "class", "ela", "mr", "mrs", "ms", "dr", "teacher", "grade", "date", "student",
    "name", "id", "essay", "to", "from", "and", "a", "an", "it", "you", "your", "thank", "thanks",
    "sincerely", "love", "p.s", "ps", "hello", "hi", "computers", "people", "although", "when",
}  # fmt: skip


class AaieRegexRecognizer(EntityRecognizer):
    """One Presidio recognizer running all of AAIE's patterns for one entity type."""

    def __init__(self, entity: str, patterns: list[Pattern]) -> None:
        self._patterns = patterns
        super().__init__(supported_entities=[entity], name=f"aaie_{entity.lower()}")

    def load(self) -> None:  # nothing to load: compiled at import time
        return None

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        entity = self.supported_entities[0]
        results: list[RecognizerResult] = []
        for pattern in self._patterns:
            for match in pattern.regex.finditer(text):
                group = "v" if "v" in pattern.regex.groupindex else 0
                start, end = match.span(group)
                start, end = _trim(text, start, end, entity)
                if entity == "ADDRESS":
                    end = _address_tail(text, _sentence_stop(text, start, end))
                if end <= start or not _plausible(text[start:end], entity):
                    continue
                results.append(RecognizerResult(entity, start, end, pattern.score))
        return results


_COUNTRIES = (
    "united states|usa|canada|mexico|brazil|argentina|chile|colombia|peru|uruguay|venezuela|"
    "united kingdom|uk|england|scotland|ireland|france|germany|austria|switzerland|italy|spain|"
    "portugal|netherlands|belgium|luxembourg|denmark|sweden|norway|finland|iceland|poland|"
    "czech republic|czechia|slovakia|slovenia|croatia|hungary|romania|bulgaria|greece|turkey|"
    "russia|ukraine|india|pakistan|bangladesh|china|japan|korea|south korea|vietnam|thailand|"
    "malaysia|singapore|indonesia|philippines|australia|new zealand|south africa|nigeria|kenya|"
    "egypt|morocco|israel|saudi arabia|united arab emirates|uae"
)
# A segment never runs past a sentence end ("Springfield. My student ID is 88412."): the
# address ends where the entity ends.
_TAIL_SEGMENT = re.compile(
    r"[ \t]*(?:,[ \t]*\n?|\n)[ \t]*,?[ \t]*((?:[^\n,.!?;]|\.(?![ \t\n]|$)){1,40})"
)
# Abbreviated street words keep their full stop ("12 Oak St."); a spelled-out one does not.
_ABBREVIATED = frozenset(
    ("st", "ave", "av", "rd", "ln", "dr", "ct", "blvd", "pl", "ter", "cir", "pkwy", "hwy", "trl",
     "sq", "cres", "cl", "pde", "apt")
)  # fmt: skip
_TAIL_END = re.compile(
    rf"(?:\b\d{{4,6}}(?:-\d{{4}})?\b|\b[A-Z]{{1,2}}\d[A-Z\d]?[ \t]*\d[A-Z]{{2}}\b|"
    rf"\b{_US_STATES}\b|^(?:{_COUNTRIES})\b)",
    re.IGNORECASE,
)


_PHONE_LIKE = re.compile(r"\d{3}[ .\-)]+\d{3}[ .\-]\d{3,4}|\+\d")


def _sentence_stop(text: str, start: int, end: int) -> int:
    """Leave a full stop that ends the sentence out of an address ("12 Oak Street." -> "12 Oak
    Street"), but keep an abbreviation's ("12 Oak St.")."""
    if end - start > 1 and text[end - 1] == "." and (end == len(text) or text[end].isspace()):
        last = re.findall(r"[A-Za-z]+$", text[start : end - 1])
        if not last or last[0].lower() not in _ABBREVIATED:
            return end - 1
    return end


def _address_tail(text: str, end: int) -> int:
    """Extend an address over the next few comma / line segments (apartment, city, region,
    country, postcode) when one of them closes an address (a postcode, a state, a country)."""
    cursor, best = end, end
    for _ in range(4):
        m = _TAIL_SEGMENT.match(text, cursor)
        if not m or not (m.group(1)[:1].isupper() or m.group(1)[:1].isdigit()):
            break
        if _PHONE_LIKE.search(m.group(1)):
            break  # a phone line after an address is a phone, not part of it
        cursor = m.end()
        seg = m.group(1).strip()
        closers = list(_TAIL_END.finditer(seg))
        if closers:  # the address ends with its last closer ("MA 02110", not "MA 02110 today")
            best = m.start(1) + m.group(1).index(seg) + closers[-1].end()
    return best


def _trim(text: str, start: int, end: int, entity: str) -> tuple[int, int]:
    """Drop trailing sentence punctuation a greedy URL/handle pattern swallowed."""
    if entity in {"URL", "USERNAME", "EMAIL"}:
        while end > start and text[end - 1] in ".,;:!?'\"”’)":
            end -= 1
    return start, end


def _plausible(value: str, entity: str) -> bool:
    if entity == "PERSON":
        first = value.replace(",", " ").split()[0].lower()
        return first not in _NOT_NAMES
    if entity == "URL":
        return "@" not in value
    if entity == "USERNAME":
        return value.lstrip("@").lower() not in {"is", "was", "the", "a", "an", "and", "or"}
    return True


# Common first names the 1990 US census lists lack (South Asian, Arabic, East Asian, African,
# Hispanic, recent US): pupils' names are far more varied than the census.
_EXTRA_FIRST_NAMES = [
    "aarav",
    "aditya",
    "advik",
    "ahmed",
    "ahmad",
    "aisha",
    "aaliyah",
    "akira",
    "alejandro",
    "ali",
    "amara",
    "amir",
    "amit",
    "ananya",
    "anika",
    "anjali",
    "arjun",
    "arnav",
    "aryan",
    "ayaan",
    "ayesha",
    "bilal",
    "carlos",
    "chidi",
    "chinedu",
    "darius",
    "deepak",
    "dev",
    "diego",
    "divya",
    "emeka",
    "fatima",
    "fatma",
    "giovanni",
    "hana",
    "hannah",
    "hamza",
    "haruto",
    "hassan",
    "hiroshi",
    "hussein",
    "ibrahim",
    "imani",
    "isabela",
    "ishaan",
    "jamal",
    "jayden",
    "jiho",
    "jin",
    "kai",
    "kaito",
    "karim",
    "kavya",
    "kenji",
    "keisha",
    "khalid",
    "kiran",
    "kwame",
    "lakshmi",
    "leila",
    "liam",
    "luca",
    "lucas",
    "malik",
    "mariam",
    "mateo",
    "matteo",
    "mei",
    "meera",
    "mohamed",
    "mohammed",
    "muhammad",
    "nadia",
    "naveen",
    "neha",
    "nia",
    "nikhil",
    "noor",
    "nour",
    "omar",
    "oluwaseun",
    "priya",
    "rahul",
    "raj",
    "rajesh",
    "rania",
    "ravi",
    "reza",
    "rohan",
    "sakura",
    "samir",
    "sana",
    "santiago",
    "sanjay",
    "sara",
    "sebastian",
    "sergio",
    "shreya",
    "siddharth",
    "sofia",
    "soo",
    "sota",
    "sunil",
    "tariq",
    "tendai",
    "thabo",
    "valentina",
    "vikram",
    "wei",
    "xin",
    "yara",
    "yasmin",
    "yuki",
    "yusuf",
    "zainab",
    "zara",
    "zeynep",
    "zhang",
    "zoe",
    "zuri",
]


@lru_cache(maxsize=1)
def _first_names() -> frozenset[str]:
    import names

    root = Path(names.__file__).parent
    found = set(_EXTRA_FIRST_NAMES)
    for fname in ("dist.female.first", "dist.male.first"):
        for line in (root / fname).read_text(encoding="utf-8").splitlines():
            if line.strip():
                found.add(line.split()[0].lower())
    return frozenset(found)


@lru_cache(maxsize=1)
def _last_names() -> frozenset[str]:
    import names

    root = Path(names.__file__).parent
    lines = (root / "dist.all.last").read_text(encoding="utf-8").splitlines()
    return frozenset(line.split()[0].lower() for line in lines[:30000] if line.strip())


_CAP_WORD = re.compile(r"\b[A-Z][a-z]+(?:['’\-][A-Za-z]+)?\b")


class NameGazetteerRecognizer(EntityRecognizer):
    """Capitalised first names from census lists (plus a following surname), skipping names
    that are also common English words ("Will", "Hope", "Grant"): spaCy's small model misses
    many single first names in pupils' essays."""

    COMMON_ZIPF = 4.6  # wordfreq Zipf frequency above which a name is more often a word

    def __init__(self) -> None:
        super().__init__(supported_entities=["PERSON"], name="aaie_name_gazetteer")

    def load(self) -> None:
        return None

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        from wordfreq import zipf_frequency

        first, last = _first_names(), _last_names()
        results = []
        for m in _CAP_WORD.finditer(text):
            word = m.group().lower()
            if word not in first or zipf_frequency(word, "en") >= self.COMMON_ZIPF:
                continue
            end = m.end()
            nxt = _CAP_WORD.match(text, end + 1) if text[end : end + 1] == " " else None
            if nxt and nxt.group().lower() in last:
                end = nxt.end()
            results.append(RecognizerResult("PERSON", m.start(), end, 0.6))
        return results


def aaie_recognizers() -> list[EntityRecognizer]:
    return [
        *(AaieRegexRecognizer(entity, pats) for entity, pats in PATTERNS.items()),
        NameGazetteerRecognizer(),
    ]
