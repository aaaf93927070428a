"""A document in another language than English (semsiedit/language.py, detection/foreign.py): its
identifiers and names go, as placeholders that fit any language, nothing the English model misreads
is touched, and the document is flagged for review. English text — also terse notes and tables with
few function words — is never taken for another language."""

from __future__ import annotations

import re

import pytest

from semsiedit.config import Settings
from semsiedit.language import document_language
from semsiedit.types import Document

pytestmark = pytest.mark.slow

GERMAN = (
    "Sehr geehrter Herr Schneider,\n\nwir bestätigen den Eingang Ihrer Unterlagen. Ihre Frau, Petra Schneider, "
    "wurde im Klinikum wegen einer Depression behandelt. Bitte schreiben Sie an petra.schneider@example.de.\n\n"
    "Mit freundlichen Grüßen\nAnna Vogel"
)
FRENCH = ("Bonjour Madame Roux, nous avons bien reçu votre dossier. Votre fils Julien peut nous écrire à "
          "julien.roux@example.fr pour le rendez-vous de mardi.")  # fmt: skip


@pytest.fixture(scope="module")
def loop():
    from semsiedit.loop import build_loop

    return build_loop(Settings(score=False), with_scorer=False)


def test_a_german_letter_loses_its_names_and_address_and_nothing_else(loop) -> None:
    result = loop.run(Document(id="d", text=GERMAN))
    out = result.rewritten
    for value in ("Schneider", "Petra", "Anna Vogel", "petra.schneider@example.de"):
        assert value not in out, (value, out)
    # What the English model misreads as people, and the lexicon's English words, stay out of it.
    for kept in ("den Eingang Ihrer Unterlagen", "Ihre Frau,", "Mit freundlichen Grüßen", "Klinikum"):
        assert kept in out, (kept, out)
    assert not re.search(r"Person [A-Z]|a city|on file|mental-health|withheld|\ba <", out), out
    assert "schreiben Sie an <EMAIL_ADDRESS_" in out, out  # German "an", not an English article
    assert out.startswith("Sehr geehrter <PERSON_") and "<EMAIL_ADDRESS_" in out, out
    assert result.profile is not None and result.profile["language"] == "de"
    assert result.profile["name"] == "record"
    assert result.needs_review and any("another language (de)" in r for r in result.review_reasons)


def test_a_french_note_keeps_its_sentences(loop) -> None:
    result = loop.run(Document(id="d", text=FRENCH))
    out = result.rewritten
    assert "Roux" not in out and "julien.roux@example.fr" not in out, out
    assert "nous avons bien reçu votre dossier" in out, out
    assert result.profile is not None and result.profile["language"] == "fr"


@pytest.mark.parametrize("text", [
    "Pt c/o SOB, hx COPD, on salbutamol PRN. BP 140/90, HR 88. Reviewed by Dr Patel. Plan: CXR, FBC, U&E.",
    "Name,DOB,Condition,Postcode\nEvie Carter,2011-05-14,Type 1 diabetes,LS6 2AB\n"
    "Omar Haddad,2009-01-02,Asthma,M14 5TQ",
    "[12/03/2024, 21:05] Jade: ok\n[12/03/2024, 21:06] Marcus Webb: Running late, traffic on M62\n"
    "[12/03/2024, 21:07] Jade: np",
    "Danke!",
    "Hi team, see you at 5.",
])  # fmt: skip
def test_english_with_few_function_words_stays_english(text) -> None:
    assert document_language(text) == "en"


def test_the_language_is_decided_for_prose() -> None:
    assert document_language(GERMAN) == "de"
    assert document_language(FRENCH) == "fr"
    assert document_language("Nos vemos mañana en la oficina; trae los documentos del contrato, por favor.") == "es"
