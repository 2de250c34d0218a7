"""The SSML builder: escaping, attribute checks, documents, and validation of hand-written SSML."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from azspeech import ssml
from azspeech.errors import InvalidRequestError
from azspeech.ssml import Speak, escape_text, is_ssml, remove_invalid_xml_chars, validate_ssml

NS = "{http://www.w3.org/2001/10/synthesis}"
MSTTS = "{http://www.w3.org/2001/mstts}"


def _voice_text(xml: str) -> str:
    root = ET.fromstring(xml)
    voice = root.find(f"{NS}voice")
    assert voice is not None
    return "".join(voice.itertext())


@given(st.text())
@settings(max_examples=300, deadline=None)
def test_any_text_round_trips(text: str) -> None:
    xml = Speak().voice("en-US-AvaMultilingualNeural").text(text).to_xml()
    validate_ssml(xml, max_bytes=None)
    assert _voice_text(xml) == remove_invalid_xml_chars(text)


@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"])), st.text())
@settings(max_examples=100, deadline=None)
def test_any_text_round_trips_in_attributes(mark: str, text: str) -> None:
    clean = remove_invalid_xml_chars(mark)
    if not clean.strip():
        return
    xml = Speak().voice("en-US-AvaNeural").bookmark(clean).text(text).to_xml()
    root = ET.fromstring(xml)
    bookmark = root.find(f"{NS}voice/{NS}bookmark")
    assert bookmark is not None and bookmark.get("mark") == clean


def test_text_is_escaped() -> None:
    xml = Speak().voice("en-US-AvaNeural").text("Tom & Jerry <b> \"q\" 'a' \r\n").to_xml()
    assert (
        "&amp;" in xml and "&lt;b&gt;" in xml and "&quot;q&quot;" in xml and "&apos;a&apos;" in xml
    )
    assert _voice_text(xml) == "Tom & Jerry <b> \"q\" 'a' \r\n"


def test_invalid_characters_removed_or_rejected() -> None:
    xml = Speak().voice("en-US-AvaNeural").text("a\x00b\x1bc\ufffed\ud800e").to_xml()
    assert _voice_text(xml) == "abcde"
    with pytest.raises(InvalidRequestError, match="U\\+0000"):
        Speak(strict=True).voice("en-US-AvaNeural").text("a\x00b").to_xml()
    with pytest.raises(InvalidRequestError, match="U\\+001B"):
        escape_text("x\x1b", strict=True)


def test_full_document() -> None:
    doc = (
        Speak(lang="en-US")
        .voice("en-US-AvaMultilingualNeural")
        .text("Hello ")
        .prosody("slowly", rate="-20%", pitch="+2st", volume="loud")
        .prosody("contour", contour="(0%,+20Hz) (50%,-2st)")
        .break_(time="250ms")
        .break_(strength="strong")
        .express_as("happy", style="cheerful", styledegree=1.5, role="Girl")
        .emphasis("very", level="strong")
        .say_as("2026-01-02", interpret_as="date", format="ymd")
        .phoneme("tomato", ph="təˈmeɪtoʊ")
        .sub("WHO", alias="World Health Organization")
        .lexicon("https://example.com/lex.xml")
        .bookmark("here")
        .lang("Bonjour", xml_lang="fr-FR")
        .audio("https://example.com/a.wav", "fallback text")
        .silence(type="Sentenceboundary", value=200)
        .viseme(type="FacialExpression")
        .voice("en-US-AndrewNeural")
        .text("Second ", ssml.emphasis("voice", level="moderate"), ".")
    )
    xml = doc.to_xml()
    validate_ssml(xml)
    root = ET.fromstring(xml)
    voices = root.findall(f"{NS}voice")
    assert [v.get("name") for v in voices] == ["en-US-AvaMultilingualNeural", "en-US-AndrewNeural"]
    first = voices[0]
    assert first.find(f"{NS}prosody").get("rate") == "-20%"  # type: ignore[union-attr]
    express = first.find(f"{MSTTS}express-as")
    assert express is not None and express.get("styledegree") == "1.5"
    assert first.find(f"{NS}break").get("time") == "250ms"  # type: ignore[union-attr]
    assert first.find(f"{NS}lang").get("{http://www.w3.org/XML/1998/namespace}lang") == "fr-FR"  # type: ignore[union-attr]
    assert first.find(f"{MSTTS}silence").get("value") == "200ms"  # type: ignore[union-attr]
    assert first.find(f"{MSTTS}viseme").get("type") == "FacialExpression"  # type: ignore[union-attr]
    assert str(doc) == xml


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: ssml.prosody("x", rate="quick"), "rate"),
        (lambda: ssml.prosody("x", pitch="+2 semitones"), "pitch"),
        (lambda: ssml.prosody("x", volume="deafening"), "volume"),
        (lambda: ssml.prosody("x", contour="up"), "contour"),
        (lambda: ssml.prosody("x"), "at least one"),
        (lambda: ssml.break_(time="soon"), "break time"),
        (lambda: ssml.break_(strength="huge"), "break strength"),
        (lambda: ssml.express_as("x", style="cheer ful"), "style"),
        (lambda: ssml.express_as("x", style="cheerful", styledegree=3), "styledegree"),
        (lambda: ssml.express_as("x", style="cheerful", role="Dog"), "role"),
        (lambda: ssml.emphasis("x", level="loud"), "emphasis level"),
        (lambda: ssml.phoneme("x", ph="a", alphabet="klingon"), "alphabet"),
        (lambda: ssml.bookmark(""), "bookmark"),
        (lambda: ssml.silence(type="Middle", value="1s"), "silence type"),
        (lambda: ssml.viseme(type="3d"), "viseme type"),
        (lambda: ssml.lang("x", xml_lang="english!"), "language"),
        (lambda: Speak(lang="en US"), "language"),
        (lambda: Speak().voice('bad"name'), "voice name"),
    ],
)
def test_attribute_values_checked(make: object, match: str) -> None:
    with pytest.raises(InvalidRequestError, match=match):
        make()  # type: ignore[operator]


def test_content_type_checked() -> None:
    with pytest.raises(TypeError):
        Speak().voice("en-US-AvaNeural").text(42)  # type: ignore[arg-type]


def test_is_ssml() -> None:
    assert is_ssml("  \n<speak version='1.0'>")
    assert is_ssml("<?xml version='1.0'?>\n<speak>")
    assert not is_ssml("speak <speak>")
    assert not is_ssml("<voice>")


def test_validate_points_at_line_and_column() -> None:
    with pytest.raises(InvalidRequestError, match=r"mismatched tag at line 3, column 5"):
        validate_ssml("<speak>\n<voice name='a'>\nhi</speek></speak>")
    with pytest.raises(InvalidRequestError, match="not well-formed"):
        validate_ssml("<speak>Tom & Jerry</speak>")


def test_validate_other_rules() -> None:
    with pytest.raises(InvalidRequestError, match="root element must be <speak>"):
        validate_ssml("<voice>hi</voice>")
    with pytest.raises(InvalidRequestError, match="DOCTYPE"):
        validate_ssml('<!DOCTYPE speak [<!ENTITY a "b">]><speak>&a;</speak>')
    with pytest.raises(InvalidRequestError, match=r"U\+0001.*line 1, column 8"):
        validate_ssml("<speak>\x01</speak>")
    many = "<speak>" + "<voice name='a'>x</voice>" * 51 + "</speak>"
    with pytest.raises(InvalidRequestError, match="at most 50"):
        validate_ssml(many)
    big = "<speak>" + "a" * (64 * 1024) + "</speak>"
    with pytest.raises(InvalidRequestError, match="65536 bytes"):
        validate_ssml(big)


def test_validate_unbound_prefix() -> None:
    with pytest.raises(InvalidRequestError, match="unbound prefix at line 1"):
        validate_ssml("<speak><mstts:express-as style='x'>hi</mstts:express-as></speak>")
    validate_ssml(
        "<speak xmlns:mstts='http://www.w3.org/2001/mstts'>"
        "<mstts:express-as style='x'>hi</mstts:express-as></speak>"
    )
