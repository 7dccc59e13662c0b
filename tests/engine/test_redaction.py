"""PII redaction: types, consistent placeholders across text and chat log, offsets."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from aaie.engine.redaction import redact

# The types the issue requires at least (the engine redacts LOCATION and ORGANIZATION too).
REQUIRED_TYPES = {"PERSON", "EMAIL", "PHONE", "STUDENT_ID", "USERNAME", "URL", "ADDRESS"}

ESSAY = (
    "Name: Mia Delgado\nStudent ID: S4896620\nmia.d@gmail.com\n\n"
    "Dear editor, Mia thinks computers help. I live at 6479 Meadow Avenue, Bristol, TX 29748. "
    "Call (512) 648-0350, read https://mia.blogspot.com or follow me @mia_d.\n\n"
    "Sincerely,\nMia Delgado"
)


@pytest.fixture(scope="module")
def red():
    turns = [
        {"role": "user", "text": "I'm Mia Delgado, fix my essay"},
        {"role": "ai", "text": "Sure, Mia! Email me at mia.d@gmail.com."},
    ]
    return redact(ESSAY, turns)


def test_every_required_type_is_found(red) -> None:
    types = {e.type for e in red.entities}
    assert types >= REQUIRED_TYPES
    for value in ["Mia", "Delgado", "S4896620", "mia.d@gmail.com", "6479 Meadow", "648-0350",
                  "mia.blogspot.com", "@mia_d"]:  # fmt: skip
        assert value not in red.redacted_text
        assert all(value not in t.text for t in red.chat_log)


def test_placeholders_are_typed_and_consistent_across_text_and_chat(red) -> None:
    persons = {e.placeholder for e in red.entities if e.type == "PERSON"}
    emails = {e.placeholder for e in red.entities if e.type == "EMAIL"}
    assert persons == {"[PERSON_1]"} and emails == {"[EMAIL_1]"}
    assert red.redacted_text.startswith("Name: [PERSON_1]\nStudent ID: [STUDENT_ID_1]")
    assert red.chat_log[0].text == "I'm [PERSON_1], fix my essay"
    assert "[EMAIL_1]" in red.chat_log[1].text and red.chat_log[1].role == "ai"


def test_entity_offsets_point_into_the_original(red) -> None:
    for e in red.entities:
        source = ESSAY if e.turn is None else None
        if source is not None:
            assert source[e.start : e.end].strip() == source[e.start : e.end]
            assert red.redacted_text[e.redacted_start : e.redacted_end] == e.placeholder
    starts = [(e.start, e.end) for e in red.entities if e.turn is None]
    assert {ESSAY[s:t] for s, t in starts} >= {"S4896620", "mia.d@gmail.com", "(512) 648-0350"}


def test_offset_map_round_trip(red) -> None:
    m = red.offset_map()
    i = red.redacted_text.index("thinks computers help")
    assert m.span_to_original(i, i + 21) == (ESSAY.index("thinks computers help"),
                                             ESSAY.index("thinks computers help") + 21)  # fmt: skip
    j = red.redacted_text.index("[ADDRESS_1]")
    s, e = m.span_to_original(j + 2, j + 5)  # inside a placeholder: snaps to the whole value
    assert ESSAY[s:e].startswith("6479 Meadow Avenue")
    o = ESSAY.index("thinks")
    assert m.to_redacted(o) == i


def test_text_without_pii_is_unchanged() -> None:
    text = "Computers help people learn, but too much screen time harms health."
    r = redact(text)
    assert r.redacted_text == text and r.entities == []


@pytest.mark.parametrize(
    "text, name",
    [
        ("Jamal walked to the library after class. It was raining.", "Jamal"),
        ("It rained all week.\nPriya stayed inside and read.", "Priya"),
        ('The coach said, "Marcus, run faster," and we laughed.', "Marcus"),
        ("However, when Sofia Alvarez joined our team, everything changed.", "Sofia Alvarez"),
    ],
)
def test_names_are_found_wherever_they_sit_in_a_sentence(text: str, name: str) -> None:
    # NER runs only in windows around capitalised words: a name opening a sentence, after a
    # line break, inside a quote or after a common opener must still be redacted.
    r = redact(text)
    assert name not in r.redacted_text
    assert {e.start for e in r.entities} >= {text.index(name)}


def test_empty_text() -> None:
    assert redact("").redacted_text == ""


SHARED = Path(
    os.environ.get(
        "AAIE_SHARED_DATA", Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
    )
)


@pytest.mark.data
@pytest.mark.skipif(not (SHARED / "pii").exists(), reason="needs ../shared/data/pii")
def test_recall_on_a_sample_of_the_asap_pii_set() -> None:
    lines = (SHARED / "pii" / "pii_asap_filled.dev.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(x) for x in lines[:40]]
    hit = total = 0
    for row in rows:
        red = redact(row["text"])
        mask = [False] * len(row["text"])
        for e in red.entities:
            mask[e.start : e.end] = [True] * (e.end - e.start)
        for g in row["entities"]:
            if g["type"] in REQUIRED_TYPES:
                total += 1
                hit += sum(mask[g["start"] : g["end"]]) >= 0.8 * (g["end"] - g["start"])
    assert total > 20 and hit / total >= 0.95


def test_cli_redact(tmp_path) -> None:
    from typer.testing import CliRunner

    from aaie.cli import app

    f = tmp_path / "essay.txt"
    f.write_text("Name: Mia Delgado\nCall me at 404-555-1234.", encoding="utf-8")
    out = CliRunner().invoke(app, ["redact", str(f)])
    assert out.exit_code == 0, out.output
    assert "[PERSON_1]" in out.output and "[PHONE_1]" in out.output and "Mia" not in out.output
    bad = tmp_path / "chat.json"
    bad.write_text('[{"role": "robot", "text": "hi"}]', encoding="utf-8")
    assert CliRunner().invoke(app, ["redact", str(f), "--chat-log", str(bad)]).exit_code != 0


def test_address_ends_where_the_address_ends() -> None:
    """#20: the address used to swallow the rest of the text up to a later number."""
    from aaie.engine.redaction import redact

    text = "I live at 12 Oak Street, Springfield. My student ID is 88412."
    r = redact(text)
    address = [text[e.start : e.end] for e in r.entities if e.type == "ADDRESS"]
    assert address == ["12 Oak Street"]
    assert "My student ID is [STUDENT_ID_1]." in r.redacted_text
    r = redact("I live at 12 Oak Street. It is near the park.")
    assert r.redacted_text == "I live at [ADDRESS_1]. It is near the park."
    r = redact("Write to 45 Main St. Apt. 5, Boston, MA 02110 today.")
    assert r.redacted_text == "Write to [ADDRESS_1] today."
