# ruff: noqa: E501  (fixture data: engine output kept verbatim)
"""A realistic submission package in the shape the API hands to the report renderer
(`GET /api/submissions/{id}`): teacher and student audiences. Similarity, rubric and feedback
were produced by the built-in engine on this essay; classification and AI score follow the
detection interface."""

from __future__ import annotations

import copy
from typing import Any

ESSAY = "Should cities invest in renewable energy? I think they should, but the reasons are more practical than idealistic.\n\nWhen my town put solar panels on the roof of our school, the electricity bill dropped within a year. The money went back into the library. That is the kind of result people notice. Solar power reduces long-term energy costs for municipalities, lowers greenhouse gas emissions, and creates local jobs in installation and maintenance, making it a strategic investment for growing urban areas.\n\nStill, renewable energy is not free. Batteries are expensive and wind turbines do not spin every day. Cities need to plan for storage and keep some backup power. Critics also say the upfront cost is too high for small towns, and that is a fair point.\n\nIn conclusion, cities should invest in renewable energy because the savings and health benefits outweigh the costs over time, as long as they plan for storage carefully."
PROMPT = (
    "Discuss whether cities should invest in renewable energy. Use evidence and consider costs."
)
CHAT_LOG: list[dict[str, str]] = [
    {"role": "user", "text": "Can you give me a paragraph on why solar power helps cities?"},
    {
        "role": "ai",
        "text": "Solar power reduces long-term energy costs for municipalities, lowers greenhouse gas emissions, and creates local jobs in installation and maintenance, making it a strategic investment for growing urban areas.",
    },
]
SIMILARITY: dict[str, Any] = {
    "similarity_pct": 46.57,
    "prompt_pct": 23.16,
    "chat_pct": 23.42,
    "user_chat_pct": 0.0,
    "flag_pct": 41.91,
    "flag": True,
    "threshold": 40.0,
    "matches": [
        {
            "start": 0,
            "end": 41,
            "source": "prompt",
            "turn_index": None,
            "role": None,
            "source_start": 0,
            "source_end": 57,
            "kind": "paraphrase",
            "score": 0.9286,
        },
        {
            "start": 297,
            "end": 506,
            "source": "chat",
            "turn_index": 1,
            "role": "ai",
            "source_start": 0,
            "source_end": 209,
            "kind": "verbatim",
            "score": 1.0,
        },
        {
            "start": 760,
            "end": 929,
            "source": "prompt",
            "turn_index": None,
            "role": None,
            "source_start": 0,
            "source_end": 57,
            "kind": "paraphrase",
            "score": 0.8605,
        },
        {
            "start": 775,
            "end": 815,
            "source": "prompt",
            "turn_index": None,
            "role": None,
            "source_start": 16,
            "source_end": 57,
            "kind": "verbatim",
            "score": 1.0,
        },
    ],
}
HIGHLIGHTS: dict[str, Any] = {
    "spans": [
        {"start": 0, "end": 41, "kind": "prompt_overlap", "score": 0.9286, "source": "prompt"},
        {
            "start": 297,
            "end": 506,
            "kind": "chat_overlap",
            "score": 1.0,
            "source": "chat:1:verbatim",
        },
        {"start": 670, "end": 758, "kind": "ai", "score": 0.81, "source": "model"},
        {"start": 760, "end": 929, "kind": "prompt_overlap", "score": 0.8605, "source": "prompt"},
    ]
}
RUBRIC_CRITERIA: list[dict[str, Any]] = [
    {
        "name": "Structure",
        "label": "Good",
        "score": 0.6133,
        "evidence": [
            "155 words in 4 paragraph(s) and 11 sentences (39 words per paragraph)",
            "transition words (4 kinds): also, because, but, in conclusion",
            "links between consecutive sentences: 0.28 (mean similarity of neighbouring sentences)",
            'opening: "Should cities invest in renewable energy?"',
            'closing: "In conclusion, cities should invest in renewable energy because the savings and health benefits outweigh the costs over time, as long as th…"',
        ],
    },
    {
        "name": "Clarity",
        "label": "Good",
        "score": 0.6168,
        "evidence": [
            "average sentence length 14.1 words (spread 8.0); 0% of sentences over 35 words",
            "readability: Flesch reading ease 55, grade level 9.1",
            'longest sentence (30 words): "Solar power reduces long-term energy costs for municipalities, lowers greenhouse gas emissions, and creates local jobs in installation and…"',
        ],
    },
    {
        "name": "Relevance",
        "label": "Good",
        "score": 0.644,
        "evidence": [
            "answers this prompt: probability nan (essay-prompt similarity 0.69, best sentence 0.69)",
            "uses 5 of 9 key terms of the prompt: renewable, invest, cities, costs, energy",
            "prompt terms not used: discuss, consider, evidence, whether",
            'most on-topic sentence: "Should cities invest in renewable energy?"',
            'least on-topic sentence: "That is the kind of result people notice."',
        ],
    },
    {
        "name": "AcademicWriting",
        "label": "Good",
        "score": 0.7326,
        "evidence": [
            "vocabulary: 21% long words, 3% less common words, lexical variety 8.7",
            "no spelling problems found",
        ],
    },
]
FEEDBACK: dict[str, Any] = {
    "text": "What works:\n- You use precise vocabulary, such as 'greenhouse', 'idealistic', 'municipalities'.\n- You answer the prompt directly, for example: \"Should cities invest in renewable energy?\"\n- Your sentences are a readable length (about 14 words on average), which keeps your ideas clear.\n\nNext steps:\n1. Your strongest on-topic point is \"Should cities invest in renewable energy?\". Build on it: the prompt also raises 'discuss', 'consider', 'evidence', which your essay does not discuss yet; add a sentence or two after this one that deals with them.\n2. This sentence drifts away from the prompt's question about renewable and invest: \"That is the kind of result people notice.\". Connect it to the question with a clause that says why it matters for your answer, or replace it with a point that does.\n3. This sentence runs to 30 words: \"Solar power reduces long-term energy costs for municipalities, lowers greenhouse gas emissions, and creates l…\". Split it into two or three sentences, each making one claim, so a reader can follow how it answers the prompt's question about renewable and invest.",
    "strengths": [
        "You use precise vocabulary, such as 'greenhouse', 'idealistic', 'municipalities'.",
        'You answer the prompt directly, for example: "Should cities invest in renewable energy?"',
        "Your sentences are a readable length (about 14 words on average), which keeps your ideas clear.",
    ],
    "next_steps": [
        {
            "text": "Your strongest on-topic point is \"Should cities invest in renewable energy?\". Build on it: the prompt also raises 'discuss', 'consider', 'evidence', which your essay does not discuss yet; add a sentence or two after this one that deals with them.",
            "quote": "Should cities invest in renewable energy?",
            "start": 0,
            "end": 41,
            "criterion": "Relevance",
        },
        {
            "text": 'This sentence drifts away from the prompt\'s question about renewable and invest: "That is the kind of result people notice.". Connect it to the question with a clause that says why it matters for your answer, or replace it with a point that does.',
            "quote": "That is the kind of result people notice.",
            "start": 255,
            "end": 296,
            "criterion": "Relevance",
        },
        {
            "text": 'This sentence runs to 30 words: "Solar power reduces long-term energy costs for municipalities, lowers greenhouse gas emissions, and creates l…". Split it into two or three sentences, each making one claim, so a reader can follow how it answers the prompt\'s question about renewable and invest.',
            "quote": "Solar power reduces long-term energy costs for municipalities, lowers greenhouse gas emissions, and creates local jobs in installation and maintenance, making it a strategic investment for growing urban areas.",
            "start": 297,
            "end": 506,
            "criterion": "Clarity",
        },
    ],
}

# Phrases that only a teacher copy may contain.
TEACHER_ONLY_PHRASES = [
    "Classification",
    "Hybrid",
    "AI score",
    "Similarity",
    "Matched sources",
    "False-positive rate",
    "Likely AI-generated",
    "TEACHER COPY",
    "Review status",
    "needs follow up",
    "Why this label",
]


def _version(number: int, text: str, created_at: str, label: str, teacher: bool) -> dict[str, Any]:
    evaluation: dict[str, Any] = {
        "rubric": {c["name"]: c["label"] for c in RUBRIC_CRITERIA},
        "feedback": FEEDBACK["text"],
    }
    version: dict[str, Any] = {
        "version": f"v{number}",
        "number": number,
        "created_at": created_at,
        "evaluation_status": "done",
        "text": text,
        "prompt_text": PROMPT,
        "chat_log": CHAT_LOG,
        "file": None,
        "evaluation": evaluation,
        "feedback_details": {
            "strengths": FEEDBACK["strengths"],
            "next_steps": FEEDBACK["next_steps"],
        },
    }
    if teacher:
        evaluation["classification"] = {"label": label, "confidence": 0.74}
        evaluation["ai_score"] = {
            "ai_score": 63.0,
            "threshold": 50.0,
            "fpr_at_threshold": 0.048,
            "insufficient_text": False,
            "label_at_threshold": True,
        }
        evaluation["similarity"] = SIMILARITY
        evaluation["highlights"] = HIGHLIGHTS
    return version


def teacher_package() -> dict[str, Any]:
    first = ESSAY.split("\n\n")[0] + "\n\nSolar panels are good for cities."
    versions = [
        _version(1, first, "2026-11-20T09:12:00+00:00", "Human", True),
        _version(2, ESSAY, "2026-11-22T16:40:00+00:00", "Hybrid", True),
    ]
    current = versions[-1]
    return {
        "submissionId": "3f1c2a9e-5b7d-4c1e-9a2f-0d6b8e4c7a11",
        "assignmentId": "9a8b7c6d-1111-2222-3333-444455556666",
        "assignment_title": "Renewable energy in cities (argumentative essay)",
        "prompt_id": "P001",
        "student_id": "5e6f7a8b-0000-1111-2222-333344445555",
        "audience": "teacher",
        "version": "v2",
        "current_version": 2,
        "future_scoring": True,
        "created_at": "2026-11-20T09:12:00+00:00",
        "updated_at": "2026-11-22T16:40:00+00:00",
        "text": ESSAY,
        "prompt_text": PROMPT,
        "chat_log": CHAT_LOG,
        "file": {
            "fileId": "7d1e2f3a-aaaa-bbbb-cccc-ddddeeeeffff",
            "filename": "essay-v2.docx",
            "content_type": "application/vnd.openxmlformats-officedocument"
            ".wordprocessingml.document",
            "size": 14210,
            "word_count": 155,
        },
        "evaluation_status": "done",
        "evaluation": current["evaluation"],
        "feedback_details": current["feedback_details"],
        "versions": versions,
        "student_email": "jordan.lee@student.example.edu",
        "status": "needs_follow_up",
        "status_note": "Discuss the pasted chat-log paragraph",
        "status_by": None,
        "status_at": "2026-11-22T17:05:00+00:00",
        "evaluation_details": {
            "classification": {
                "label": "Hybrid",
                "confidence": 0.74,
                "ai_fraction": 0.27,
                "threshold": 50.0,
                "fpr_at_threshold": 0.048,
                "insufficient_text": False,
                "reasons": [
                    "1 paragraph (209 characters) matches an AI turn of the student's chat log "
                    "word for word",
                    "3 of 11 sentences score above the AI threshold; the rest read as human",
                ],
            },
            "rubric": RUBRIC_CRITERIA,
            "rubric_overall": {"score": 0.646, "label": "Good", "engine": "builtin"},
            "engine_version": "0.1.0",
        },
    }


def student_package() -> dict[str, Any]:
    """What the visibility filter leaves for the student: feedback and the rubric labels."""
    package = copy.deepcopy(teacher_package())
    package["audience"] = "student"
    package["future_scoring"] = False
    for key in (
        "student_email",
        "status",
        "status_note",
        "status_by",
        "status_at",
        "evaluation_details",
    ):
        package.pop(key)
    for holder in [package, *package["versions"]]:
        for key in ("classification", "ai_score", "similarity", "highlights"):
            holder["evaluation"].pop(key, None)
    return package
