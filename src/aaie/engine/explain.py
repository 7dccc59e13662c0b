"""Plain-word explanations shown next to the numbers they explain (reports, CLI)."""

from __future__ import annotations

import re
from collections import Counter


def score_against_threshold(score: float, threshold: float) -> tuple[str, str]:
    """The score and the threshold as shown side by side: one decimal, or as many more as it
    takes for the shown numbers to fall on the same side as the real ones (a score of 97.50
    under a threshold of 97.51 must not read "97.5, below the threshold 97.5")."""
    for digits in (1, 2, 3):
        shown_score, shown_threshold = f"{score:.{digits}f}", f"{threshold:.{digits}f}"
        if (float(shown_score) >= float(shown_threshold)) == (score >= threshold):
            break
    return shown_score, shown_threshold


def score_and_share(
    ai_score: float | None, threshold: float | None, ai_fraction: float | None
) -> str | None:
    """Why a document-level AI score and a sentence share can differ (e.g. "AI score 100/100"
    beside "55 % of sentences AI-like" on a Hybrid)."""
    if ai_score is None or ai_fraction is None:
        return None
    share = round(100 * ai_fraction)
    shown_score = f"{ai_score:.1f}"
    at = ""
    if threshold is not None:
        shown_score, shown_threshold = score_against_threshold(ai_score, threshold)
        at = f" (flag threshold {shown_threshold})"
    text = (
        f"The AI score ({shown_score}/100) is about the text as a whole: how strongly its "
        f"overall style matches AI-written essays{at}. The {share} % is a different count: the "
        "share of sentences that read as AI-written one by one."
    )
    above = threshold is not None and ai_score >= threshold
    if above and share < 80:
        text += (
            f" Together they say that AI-written passages are clear enough to mark the whole "
            f"text, while about {100 - share} % of its sentences read as the student's own."
        )
    elif not above and share > 0:
        text += (
            " Some sentences read as AI-written, but not enough of the text to reach the threshold."
        )
    return text


# A word this common (wordfreq Zipf >= 5: "for", "such", "community", "important") is not
# evidence a teacher would accept that a text is AI-written, however the model weighs it.
COMMON_ZIPF = 5.0

# Nouns are what a text is about ("nights", "tasks", "gardens"), so a noun is a topic, not a
# sign of AI wording, even when a training source made the model lean on it. The exceptions are
# nouns that studies of LLM "excess vocabulary" found far more often in AI-written text than in
# human text of every field (Kobak et al. 2024, "Delving into ChatGPT usage in academic writing
# through excess vocabulary"; Liang et al. 2024, "Mapping the increasing use of LLMs in
# scientific papers").
AI_FAVOURED_NOUNS = frozenset(
    {"tapestry", "realm", "testament", "interplay", "intricacies", "nuances", "landscape",
     "underpinnings", "insights", "endeavor", "endeavour", "multifaceted", "synergy"}
)  # fmt: skip
_NOUN_TAGS = frozenset({"NOUN", "PROPN", "NUM"})


def is_telling(phrase: str, text: str = "", context: str = "") -> bool:
    """Whether a word n-gram the detector leans on is evidence a teacher can accept: it must
    hold a less common word ("delve", "fostering", "crucial role", "moreover") that is not
    the text's topic: not used three times or more in `text` ("tasks" in an essay about
    tasks) and not a noun where it stands in `context` (the sentences it was found in; the
    phrase alone when not given), bar the nouns LLMs are known to favour ("tapestry")."""
    return bool(telling_phrases([phrase], text, context or phrase))


def telling_phrases(phrases: list[str], text: str, context: str, limit: int = 3) -> list[str]:
    """The first `limit` of `phrases` that are telling (`is_telling`), tagging `context` once
    and only when a phrase has a candidate word (spaCy is the costly part: tagging once per
    phrase made an AI essay's classification ten times slower)."""
    from wordfreq import zipf_frequency

    counts = Counter(re.findall(r"[a-z']+", text.lower()))

    def candidates(phrase: str) -> list[str]:
        return [
            w
            for w in phrase.lower().split()
            if w.isalpha() and zipf_frequency(w, "en") < COMMON_ZIPF and counts[w] < 3
        ]

    rare = {p: candidates(p) for p in phrases}
    if not any(rare.values()):
        return []
    nouns = _nouns(context) - AI_FAVOURED_NOUNS
    return [p for p in phrases if any(w not in nouns for w in rare[p])][:limit]


def _nouns(context: str) -> set[str]:
    """The words tagged as nouns anywhere in `context` (lower case)."""
    from aaie.engine.tagging import tagger

    return {t.text.lower() for t in tagger()(context) if t.pos_ in _NOUN_TAGS}


def not_scored_words(reason: str | None) -> str:
    """Why a criterion has no level, as every reader sees it: "Not scored by AAIE: ..." (the
    web app writes the same)."""
    text = re.sub(
        r"^(?:not scored(?: by [^:]+)?|not assessed):\s*", "", (reason or "").strip(), flags=re.I
    )
    if not text:
        return "Not scored by AAIE."
    end = "" if text[-1] in ".!?" else "."
    first = text[0].lower() if text[1:2].islower() else text[0]  # keep "AAIE", "LLM"
    return f"Not scored by AAIE: {first}{text[1:]}{end}"
