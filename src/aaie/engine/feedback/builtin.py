"""Built-in feedback: grounded in the essay's own sentences and the rubric evidence.

Each next step comes from a measured weakness (the least on-topic sentence, the longest
sentence, a sentence with spelling slips, a missing paragraph break or transition…), points at
the sentence it is about (quote + offsets) and says how it serves the prompt. Weakest criteria
come first. Strengths quote what the essay already does well.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np
from wordfreq import zipf_frequency

from aaie.engine.analysis import TextAnalysis
from aaie.engine.feedback.guard import mentions_banned, own_sentences
from aaie.engine.feedback.types import Feedback, NextStep
from aaie.engine.language import identify_language, not_english
from aaie.engine.rubric.features import TASK_WORDS, EssayFacts, essay_facts, is_misspelled
from aaie.engine.rubric.types import BASE_CRITERIA, RubricResult
from aaie.engine.spelling import in_variety, variety
from aaie.engine.text import MIN_SCORE_WORDS, not_enough_text, words
from aaie.engine.types import Sentence

MAX_STEPS = 4
MIN_STEPS = 2
# A sentence this far from the prompt (MiniLM cosine) is worth asking about.
DRIFT_SIMILARITY = 0.3
SHORT_ESSAY_WORDS = 250


# A quote that ends a sentence already has its full stop: `"...controlled.".` -> `"...controlled."`
_DOUBLE_STOP = re.compile(r'([.!?…])"\.')


def topic_points(points: list[str]) -> list[str]:
    """Prompt key points that name a topic (task and instruction words dropped)."""
    return [p for p in points if p.lower() not in TASK_WORDS]


def tidy(text: str) -> str:
    return _DOUBLE_STOP.sub(r'\1"', text)


def short(text: str, limit: int = 110) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class _Ctx:
    def __init__(
        self,
        analysis: TextAnalysis,
        facts: EssayFacts,
        prompt: str | None,
        scores: dict[str, float],
        copied: Sequence[tuple[int, int]] = (),
    ) -> None:
        self.a = analysis
        self.f = facts
        self.prompt = prompt
        self.scores = scores
        self.covered = topic_points(facts.covered_points)
        self.missing = topic_points(facts.missing_points)
        # Sentences worth pointing at: real sentences, and none whose words would trip the guard.
        self.used: set[int] = set()  # sentence starts already pointed at by a step
        self._usable = [
            s for s in analysis.sentences if len(words(s.text)) >= 5 and not mentions_banned(s.text)
        ]
        # Sentences mostly copied from the prompt or an AI chat turn: a next step may still
        # point at them (they are in the submission), but praise must be for the student's own
        # writing, never for words an AI or the teacher wrote.
        self.own = own_sentences(analysis, copied)

    @property
    def usable(self) -> list[Sentence]:
        """Sentences not yet used by another step (each step points somewhere new)."""
        return [s for s in self._usable if s.start not in self.used]

    @property
    def focus(self) -> str:
        """A short phrase naming what the prompt asks about (or the essay's own argument)."""
        if not self.prompt:
            return "your main argument"
        points = (self.covered + self.missing)[:2]
        if not points:
            return "the prompt's question"
        return "the prompt's question about " + " and ".join(points)

    def step(self, s: Sentence, criterion: str, text: str) -> NextStep:
        self.used.add(s.start)
        return NextStep(
            text=tidy(text),
            quote=self.a.text[s.start : s.end],
            start=s.start,
            end=s.end,
            criterion=criterion,
        )


def _relevance_steps(c: _Ctx) -> list[NextStep]:
    sims = c.f.sentence_prompt_sims
    if sims is None or not c.usable:
        return []
    idx = {s.index for s in c.usable}
    ranked = sorted((float(sims[i]), i) for i in idx)
    out = []
    low = c.a.sentences[ranked[0][1]]
    if ranked[0][0] < DRIFT_SIMILARITY:
        out.append(
            c.step(
                low,
                "Relevance",
                f'This sentence drifts away from {c.focus}: "{short(low.text)}". Connect it '
                "to the question with a clause that says why it matters for your answer, or "
                "replace it with a point that does.",
            )
        )
    if c.missing:
        high = c.a.sentences[ranked[-1][1]]
        missing = ", ".join(f"'{m}'" for m in c.missing[:3])
        out.append(
            c.step(
                high,
                "Relevance",
                f'Your strongest on-topic point is "{short(high.text)}". Build on it: the prompt '
                f"also raises {missing}, which your essay does not discuss yet; add a sentence or "
                "two after this one that deals with them.",
            )
        )
    return out


def _clarity_steps(c: _Ctx) -> list[NextStep]:
    if not c.usable:
        return []
    longest = max(c.usable, key=lambda s: len(words(s.text)))
    n = len(words(longest.text))
    if n < 28:
        return []
    return [
        c.step(
            longest,
            "Clarity",
            f'This sentence runs to {n} words: "{short(longest.text)}". Split it into two or three '
            f"sentences, each making one claim, so a reader can follow how it answers {c.focus}.",
        )
    ]


def _academic_steps(c: _Ctx) -> list[NextStep]:
    out = []
    usable = {s.index: s for s in c.usable}
    for kind, found, advice in (
        ("spelling", c.f.misspelled, "Check the spelling of {w}"),
        ("informal", c.f.informal, "Replace the informal {w} with more precise, formal wording"),
    ):
        # The sentence with the most slips of this kind is the most useful one to point at.
        ranked = sorted(
            usable.values(),
            key=lambda s: -sum(1 for a, b, _ in found if s.start <= a and b <= s.end),
        )
        for s in ranked:
            hits = sorted({w for a, b, w in found if s.start <= a and b <= s.end})
            if hits:
                listed = ", ".join(f"'{h}'" for h in hits[:3])
                out.append(
                    c.step(
                        s,
                        "AcademicWriting",
                        advice.format(w=listed) + f' in "{short(s.text)}". Careful wording makes '
                        f"your answer to {c.focus} more convincing.",
                    )
                )
                break
        if kind == "spelling" and out:
            break
    if not out:
        lower = [s for s in c.usable if s.text[:1].islower()]
        if lower:
            out.append(
                c.step(
                    lower[0],
                    "AcademicWriting",
                    f'Start this sentence with a capital letter: "{short(lower[0].text)}". Small '
                    "slips like this distract from your ideas.",
                )
            )
    return out


def _structure_steps(c: _Ctx) -> list[NextStep]:
    out = []
    sents = c.a.sentences
    if c.f.paragraphs == 1 and c.a.word_count > 100 and len(sents) > 4:
        emb = c.a.sentence_embeddings
        adj = (emb[1:] * emb[:-1]).sum(axis=1)
        # The biggest topic shift in the middle half is where a new paragraph belongs.
        lo, hi = len(sents) // 4, max(len(sents) * 3 // 4, len(sents) // 4 + 1)
        i = lo + int(np.argmin(adj[lo:hi])) + 1
        out.append(
            c.step(
                sents[i],
                "Structure",
                f"Your essay is one block of text. Start a new paragraph at "
                f'"{short(sents[i].text)}", where you move to a new point, and give each '
                f"paragraph one idea about {c.focus}.",
            )
        )
    if not c.f.transitions and len(c.usable) > 2:
        s = c.usable[len(c.usable) // 2]
        out.append(
            c.step(
                s,
                "Structure",
                f'Link this point to the one before it with a transition such as "In addition," or '
                f'"However,": "{short(s.text)}". It shows the reader how your ideas build '
                f"an answer to {c.focus}.",
            )
        )
    conclusion = c.f.transitions.get("conclusion")
    if not conclusion and len(sents) > 3 and sents[-1] in c.usable:
        s = sents[-1]
        out.append(
            c.step(
                s,
                "Structure",
                f'Your essay ends with "{short(s.text)}". Add a closing paragraph that sums up '
                f"your answer to {c.focus} and why it holds.",
            )
        )
    return out


def _development_steps(c: _Ctx) -> list[NextStep]:
    """A short essay: grow its thinnest paragraph (or its first point) into a full one."""
    if c.a.word_count >= SHORT_ESSAY_WORDS or not c.usable:
        return []
    paragraphs = [p for p in c.a.text.split("\n") if p.strip()]
    thin = min(paragraphs[1:-1] or paragraphs, key=lambda p: len(words(p)))
    start = c.a.text.find(thin)
    target = next((s for s in c.usable if s.start >= start), c.usable[0])
    return [
        c.step(
            target,
            "Structure",
            f"At {c.a.word_count} words your essay is short. Develop this point into a full "
            f'paragraph with a reason and an example: "{short(target.text)}". More development '
            f"gives a fuller answer to {c.focus}.",
        )
    ]


def _example_step(c: _Ctx) -> list[NextStep]:
    """Always available: ask for a specific example behind the most general claim."""
    if not c.usable:
        return []
    no_example = [
        s for s in c.usable if "example" not in s.text.lower() and "instance" not in s.text.lower()
    ]
    s = (no_example or c.usable)[0 if len(no_example) < 3 else 1]
    return [
        c.step(
            s,
            "Relevance",
            f'Back up this claim with a specific example, fact or detail: "{short(s.text)}". '
            f"Evidence makes your answer to {c.focus} more persuasive.",
        )
    ]


STEP_MAKERS: dict[str, Callable[[_Ctx], list[NextStep]]] = {
    "Relevance": _relevance_steps,
    "Clarity": _clarity_steps,
    "AcademicWriting": _academic_steps,
    "Structure": _structure_steps,
}


def _strengths(c: _Ctx) -> list[str]:
    out: list[tuple[float, str]] = []
    v = c.f.values
    if c.f.transitions and c.f.paragraphs > 1:
        used = sorted({w for ws in c.f.transitions.values() for w in ws})[:3]
        out.append(
            (
                c.scores["Structure"],
                f"You organise your essay into {c.f.paragraphs} "
                f"paragraphs and guide the reader with linking words such as "
                + ", ".join(f"'{u}'" for u in used)
                + ".",
            )
        )
    # Strengths may quote any of the student's own sentences, preferably one no next step
    # points at.
    own = {s.start for s in c.own}
    pool = [s for s in (c.usable or c._usable) if s.start in own]
    if c.f.sentence_prompt_sims is not None and pool:
        best = max(pool, key=lambda s: float(c.f.sentence_prompt_sims[s.index]))  # type: ignore[index]
        out.append(
            (
                c.scores["Relevance"],
                f'You answer the prompt directly, for example: "{short(best.text)}"',
            )
        )
    if v["mean_sent_len"] and 10 <= v["mean_sent_len"] <= 24 and v["frac_long_sent"] < 0.1:
        out.append(
            (
                c.scores["Clarity"],
                f"Your sentences are a readable length (about "
                f"{v['mean_sent_len']:.0f} words on average), which keeps your ideas clear.",
            )
        )
    # Less common (but real, correctly spelled) words, rarest first.
    candidates = {
        w
        for s in c.own
        for w in words(s.text)
        if w.islower() and len(w) >= 7 and not is_misspelled(w)
    }
    precise = sorted(
        (w for w in candidates if 1.5 < zipf_frequency(w, "en") < 4.0),
        key=lambda w: (zipf_frequency(w, "en"), w),
    )
    if precise and v["spelling_rate"] < 0.02:
        out.append(
            (
                c.scores["AcademicWriting"],
                "You use precise vocabulary, such as "
                + ", ".join(f"'{w}'" for w in precise[:3])
                + ".",
            )
        )
    if not out and pool:
        out.append((0.0, f'You make a clear point that you can build on: "{short(pool[0].text)}"'))
    out.sort(key=lambda t: -t[0])
    return [tidy(s) for _, s in out[:3]]


def _scores(rubric: RubricResult | None, facts_scores: dict[str, float]) -> dict[str, float]:
    scores = dict(facts_scores)
    if rubric is not None:
        for crit in rubric.criteria:
            base = crit.maps_to or crit.name
            if base in BASE_CRITERIA and crit.score is not None:
                scores[base] = crit.score
    return scores


def feedback_builtin(
    analysis: TextAnalysis,
    prompt_text: str | None,
    rubric: RubricResult | None,
    copied: Sequence[tuple[int, int]] = (),
) -> Feedback:
    """`copied`: character ranges the similarity stage matched to the prompt or to an AI chat
    turn; strengths never quote or praise them."""
    language = identify_language(analysis.text)
    if not language.supported and analysis.word_count >= MIN_SCORE_WORDS:
        # Spelling, transitions and every step are English-only: advice would be wrong.
        return Feedback(text=not_english(language, "feedback"))
    facts = essay_facts(analysis, prompt_text)
    if analysis.word_count < MIN_SCORE_WORDS:
        return _too_short(_Ctx(analysis, facts, prompt_text, {b: 0.5 for b in BASE_CRITERIA}))
    if rubric is None:
        from aaie.engine.rubric.builtin import score_builtin

        rubric = score_builtin(analysis, prompt_text, None)
    scores = _scores(rubric, {b: 0.5 for b in BASE_CRITERIA})
    c = _Ctx(analysis, facts, prompt_text, scores, copied)
    # Weakest criterion first; one step per criterion before any criterion gets a second. A
    # maker may offer several steps, each claiming a sentence; only the step taken keeps its
    # claim, so one criterion's second step cannot take the sentence another needed for its first.
    order = sorted(BASE_CRITERIA, key=lambda b: scores[b])
    steps: list[NextStep] = []
    for _ in range(2):
        for crit in order:
            taken = set(c.used)
            offer = STEP_MAKERS[crit](c) if len(steps) < MAX_STEPS else []
            offer = [o for o in offer if o.start not in taken]
            c.used = taken | ({offer[0].start} if offer else set())
            steps += offer[:1]
    if len(steps) < MIN_STEPS + 1:
        steps += [s for s in _development_steps(c) if all(s.start != t.start for t in steps)]
    if len(steps) < MIN_STEPS:
        steps += [s for s in _example_step(c) if all(s.start != t.start for t in steps)]
    steps = sorted(steps[:MAX_STEPS], key=lambda s: s.start)
    strengths = _strengths(c)
    steps = _vary_focus(steps, c.focus, bool(prompt_text))
    # Written in British spelling; a student who writes US English reads US spelling back.
    spelling = variety(analysis.text)
    strengths = [in_variety(s, spelling) for s in strengths]
    steps = [s.model_copy(update={"text": in_variety(s.text, spelling)}) for s in steps]
    return Feedback(text=compose(strengths, steps), strengths=strengths, next_steps=steps)


def _vary_focus(steps: list[NextStep], focus: str, has_prompt: bool) -> list[NextStep]:
    """Name the prompt's question in full once; later steps say "the prompt" / "the prompt's
    question" in turn, so no phrase is repeated three times in one piece of feedback."""
    later = ("the prompt", "the prompt's question")
    if not has_prompt:
        later = ("your argument", "your main point")
    out, seen = [], 0
    for step in steps:
        parts = step.text.split(focus)
        text = parts[0]
        for part in parts[1:]:
            text += (focus if seen == 0 else later[(seen - 1) % 2]) + part
            seen += 1
        out.append(step.model_copy(update={"text": text}))
    return out


def _too_short(c: _Ctx) -> Feedback:
    """Too little text to judge: say so plainly and show how to write more."""
    n = c.a.word_count
    sents = [s for s in c.a.sentences if words(s.text)]
    intro = not_enough_text(n, MIN_SCORE_WORDS, "judge yet") + " Here is how to write more."
    strengths = []
    steps = []
    if sents:
        first = sents[0]
        strengths.append(f'You make a point that you can build on: "{short(first.text)}"')
        steps.append(
            c.step(
                first,
                "Relevance",
                f'Develop "{short(first.text)}" into a full paragraph: say why you think so, give '
                "two or three reasons, and back each one with an example or a fact.",
            )
        )
        steps.append(
            NextStep(
                text="Then add a first sentence that "
                + (f"answers {c.focus} directly" if c.prompt else "states your main argument")
                + ", and a closing sentence that sums up your answer. Aim for at least 150 words.",
                quote=first.text,
                start=first.start,
                end=first.end,
                criterion="Structure",
            )
        )
    text = compose(strengths, steps)
    return Feedback(
        text=f"{intro}\n\n{text}" if text else intro, strengths=strengths, next_steps=steps
    )


def compose(strengths: list[str], steps: list[NextStep]) -> str:
    parts = []
    if strengths:
        parts.append("What works:\n" + "\n".join(f"- {s}" for s in strengths))
    if steps:
        parts.append("Next steps:\n" + "\n".join(f"{i}. {s.text}" for i, s in enumerate(steps, 1)))
    return "\n\n".join(parts)
