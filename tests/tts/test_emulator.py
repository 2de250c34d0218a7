"""Text to speech against the emulator over real sockets, blocking and async.

The emulator writes tone-coded speech, so the audio can be decoded back to the
text and each event's offset checked against where the tones really are.
"""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from azspeech import AsyncSpeechClient, SpeechClient
from azspeech._protocol.close_codes import ConnectionClosedError
from azspeech.audio import OutputFormat
from azspeech.emulator import Emulator
from azspeech.emulator.engines import tones
from azspeech.errors import AuthenticationError, CanceledError, InvalidRequestError
from azspeech.ssml import Speak
from azspeech.tts import (
    AudioChunk,
    Bookmark,
    PunctuationBoundary,
    SentenceBoundary,
    SessionEnd,
    Viseme,
    WordBoundary,
)

TEXT = "Hello brave new world, from the emulator."
TICKS = 10_000_000


def _decode(audio: Any) -> str:
    return tones.decode(audio.samples, audio.sample_rate).text


def _tts_sessions(emulator: Emulator) -> list[Any]:
    return [s for s in emulator.log if s.kind == "tts"]


# -- synthesize -------------------------------------------------------------------------


def test_synthesize_websocket_sync(emulator: Emulator, client: SpeechClient) -> None:
    audio = client.tts.synthesize(TEXT)
    assert audio.format is OutputFormat.RIFF_24KHZ_16BIT_MONO_PCM
    assert audio.data[:4] == b"RIFF" and _decode(audio) == TEXT
    session = _tts_sessions(emulator)[-1]
    assert session.path == "/cognitiveservices/websocket/v1"
    paths = [m.path for m in session.received()]
    assert paths[:3] == ["speech.config", "synthesis.context", "ssml"]
    ctx = session.received("synthesis.context")[0].json()
    assert ctx["synthesis"]["audio"]["outputFormat"] == "raw-24khz-16bit-mono-pcm"
    assert all(isinstance(v, bool) for v in ctx["synthesis"]["audio"]["metadataOptions"].values())
    ssml = session.received("ssml")[0]
    assert ssml.headers["Content-Type"] == "application/ssml+xml"
    rid = ssml.headers["X-RequestId"]
    assert len(rid) == 32 and "-" not in rid


async def test_synthesize_websocket_async(emulator: Emulator, aclient: AsyncSpeechClient) -> None:
    audio = await aclient.tts.synthesize('Tom & Jerry <3 "quotes" \x07bell.')
    assert _decode(audio) == 'Tom & Jerry <3 "quotes" bell.'


def test_connection_reused(emulator: Emulator, client: SpeechClient) -> None:
    for text in ("One.", "Two.", "Three."):
        assert _decode(client.tts.synthesize(text)) == text
    sessions = _tts_sessions(emulator)
    assert len(sessions) == 1
    assert [m.path for m in sessions[0].received()].count("speech.config") == 1
    assert len(sessions[0].received("ssml")) == 3


PCM_FORMATS = [f for f in OutputFormat if f.pcm_format is not None]


@pytest.mark.parametrize("fmt", PCM_FORMATS, ids=lambda f: f.value)
async def test_every_pcm_format(aclient: AsyncSpeechClient, fmt: OutputFormat) -> None:
    audio = await aclient.tts.synthesize("Format check.", output_format=fmt)
    assert audio.sample_rate == fmt.sample_rate
    assert _decode(audio) == "Format check."
    if fmt.has_header:
        assert audio.data[:4] == b"RIFF"


@pytest.mark.parametrize(
    "fmt",
    [
        "audio-16khz-32kbitrate-mono-mp3",
        "audio-24khz-48kbitrate-mono-mp3",
        "audio-48khz-192kbitrate-mono-mp3",
        "ogg-24khz-16bit-mono-opus",
        "ogg-48khz-16bit-mono-opus",
        "audio-24khz-16bit-mono-flac",
    ],
)
@pytest.mark.parametrize("transport", ["websocket", "rest"])
def test_compressed_formats(client: SpeechClient, fmt: str, transport: str) -> None:
    audio = client.tts.synthesize("Compressed.", output_format=fmt, transport=transport)  # type: ignore[arg-type]
    assert audio.sample_rate == OutputFormat(fmt).sample_rate
    samples = audio.samples
    reference = client.tts.synthesize("Compressed.", output_format="raw-16khz-16bit-mono-pcm")
    assert samples.dtype == np.float32
    assert abs(len(samples) / audio.sample_rate - reference.duration.total_seconds()) < 0.1
    if fmt.endswith("flac"):
        assert _decode(audio) == "Compressed."


def test_format_not_supported_by_emulator(client: SpeechClient) -> None:
    with pytest.raises(CanceledError, match="not supported by the emulator") as info:
        client.tts.synthesize("x", output_format="webm-24khz-16bit-mono-opus")
    assert info.value.code == "BadRequestParameters"
    with pytest.raises(InvalidRequestError, match="not supported by the emulator"):
        client.tts.synthesize("x", output_format="amr-wb-16000hz", transport="rest")


def test_rest_synthesis(emulator: Emulator, client: SpeechClient) -> None:
    audio = client.tts.synthesize(TEXT, transport="rest", output_format="riff-16khz-16bit-mono-pcm")
    assert _decode(audio) == TEXT
    req = [r for r in emulator.requests if r.path == "/cognitiveservices/v1"][-1]
    assert req.status == 200
    assert req.headers["x-microsoft-outputformat"] == "riff-16khz-16bit-mono-pcm"


async def test_rest_synthesis_async(aclient: AsyncSpeechClient) -> None:
    audio = await aclient.tts.synthesize(
        TEXT, transport="rest", output_format="raw-8khz-8bit-mono-mulaw"
    )
    assert audio.sample_rate == 8000 and _decode(audio) == TEXT


# -- bad input the service refuses --------------------------------------------------------


def test_unknown_voice(emulator: Emulator, client: SpeechClient) -> None:
    with pytest.raises(CanceledError, match="Unsupported voice en-US-NobodyNeural") as info:
        client.tts.synthesize("Hi", voice="en-US-NobodyNeural")
    assert info.value.code == "BadRequestParameters"
    assert _tts_sessions(emulator)[-1].close_code == 1007
    # the client recovers on a fresh connection
    assert _decode(client.tts.synthesize("Hi.")) == "Hi."
    with pytest.raises(InvalidRequestError, match="Unsupported voice") as rest:
        client.tts.synthesize("Hi", voice="en-US-NobodyNeural", transport="rest")
    assert rest.value.status_code == 400


async def test_unknown_voice_in_ssml_async(aclient: AsyncSpeechClient) -> None:
    ssml = Speak().voice("xx-XX-Ghost").text("boo").to_xml()
    with pytest.raises(CanceledError, match="xx-XX-Ghost"):
        async for _ in aclient.tts.stream(ssml):
            pass


def test_wrong_key(emulator: Emulator) -> None:
    with emulator.client(key="wrong-key", max_retries=0) as c, pytest.raises(AuthenticationError):
        c.tts.synthesize("Hi")


# -- streaming with events ---------------------------------------------------------------------


def _collect(events: list[Any]) -> tuple[bytes, list[Any]]:
    audio = b"".join(e for e in events if isinstance(e, AudioChunk))
    return audio, [e for e in events if not isinstance(e, AudioChunk)]


def _offsets_in(text: str, words: list[WordBoundary]) -> list[int]:
    out, cursor = [], 0
    for w in words:
        i = text.index(w.text, cursor)
        out.append(i)
        cursor = i + len(w.text)
    return out


def _tone_words(pcm: bytes, rate: int) -> list[tones.DecodedWord]:
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
    return tones.decode(samples, rate).words


def test_stream_event_offsets_match_audio(client: SpeechClient) -> None:
    events = list(
        client.tts.stream(TEXT, sentence_boundary=True, output_format="raw-16khz-16bit-mono-pcm")
    )
    pcm, meta = _collect(events)
    assert isinstance(events[-1], SessionEnd)
    assert events[-1].offset_ticks == len(pcm) // 2 * TICKS // 16000
    words = [e for e in meta if isinstance(e, WordBoundary)]
    assert [w.text for w in words] == ["Hello", "brave", "new", "world", "from", "the", "emulator"]
    decoded = _tone_words(pcm, 16000)
    assert len(decoded) == 7
    for event, tone in zip(words, decoded, strict=True):
        assert abs(event.offset_ticks - tone.start * TICKS // 16000) < 100_000  # 10 ms
    assert [w.text_offset for w in words] == [TEXT.index(w.text) for w in words]
    puncts = [e for e in meta if isinstance(e, PunctuationBoundary)]
    assert [p.text for p in puncts] == [",", "."]
    (sentence,) = [e for e in meta if isinstance(e, SentenceBoundary)]
    assert sentence.text == TEXT and sentence.text_offset == 0
    # audio arrives in several chunks, interleaved with the events (not buffered)
    chunks = [i for i, e in enumerate(events) if isinstance(e, AudioChunk)]
    assert len(chunks) > 5
    assert any(isinstance(e, WordBoundary) for e in events[chunks[0] : chunks[-1]])
    offsets = [e.offset_ticks for e in events if isinstance(e, AudioChunk)]
    assert offsets == sorted(offsets) and offsets[0] == 0


async def test_stream_bookmarks_visemes_async(aclient: AsyncSpeechClient) -> None:
    ssml = (
        Speak()
        .voice("en-US-JennyNeural")
        .text("Before")
        .bookmark("middle")
        .text(" after.")
        .to_xml()
    )
    events = [e async for e in aclient.tts.stream(ssml, visemes=True, word_boundary=False)]
    _, meta = _collect(events)
    (mark,) = [e for e in meta if isinstance(e, Bookmark)]
    assert mark.name == "middle"
    assert not [e for e in meta if isinstance(e, (WordBoundary, PunctuationBoundary))]
    visemes = [e for e in meta if isinstance(e, Viseme)]
    assert len(visemes) > 5 and all(v.animation is None for v in visemes)
    word_start = [v.offset_ticks for v in visemes]
    assert word_start == sorted(word_start)
    assert 0 < mark.offset_ticks < visemes[-1].offset_ticks


def test_stream_facial_expression_animation(client: SpeechClient) -> None:
    ssml = (
        Speak().voice("en-US-AvaNeural").viseme(type="FacialExpression").text("Hi there.").to_xml()
    )
    events = list(client.tts.stream(ssml, visemes=True))
    visemes = [e for e in events if isinstance(e, Viseme)]
    end = events[-1]
    assert isinstance(end, SessionEnd)
    assert len(visemes) == 3  # the lead-in, then one animation per word
    frame = 0
    for v in visemes:
        assert v.animation is not None
        chunk = json.loads(v.animation)
        assert chunk["FrameIndex"] == frame == round(v.offset_ticks * 60 / TICKS)
        assert all(len(row) == 55 for row in chunk["BlendShapes"])
        frame += len(chunk["BlendShapes"])
    assert frame == round(end.offset_ticks * 60 / TICKS)  # the frames span the audio


def test_stream_abandoned_early(emulator: Emulator, client: SpeechClient) -> None:
    stream = client.tts.stream("A long sentence " * 20 + "end.")
    first = next(iter(stream))
    assert first is not None
    stream.close()
    assert _decode(client.tts.synthesize("Fine.")) == "Fine."
    assert len(_tts_sessions(emulator)) == 2  # the abandoned socket was not reused


def test_fault_close_mid_stream(emulator: Emulator, client: SpeechClient) -> None:
    emulator.faults.close(1011, "server hiccup", after_sent=4)
    with pytest.raises(ConnectionClosedError, match="server hiccup"):
        client.tts.synthesize(TEXT)
    assert _decode(client.tts.synthesize("Again.")) == "Again."


def test_custom_voice_deployment(emulator: Emulator, client: SpeechClient) -> None:
    audio = client.tts.synthesize(
        "Custom.", voice="MyBrandVoice", deployment_id="0f1e2d3c-0000-4000-8000-000000000000"
    )
    assert _decode(audio) == "Custom."
    session = _tts_sessions(emulator)[-1]
    assert session.query["deploymentId"] == "0f1e2d3c-0000-4000-8000-000000000000"


# -- text streaming -------------------------------------------------------------------------------

PIECES = ["Streaming ", "text is ", "fun. It arr", "ives in pie", "ces!"]


def test_stream_text_service_mode(emulator: Emulator, client: SpeechClient) -> None:
    def gen() -> Iterator[str]:
        yield from PIECES

    events = list(client.tts.stream_text(gen()))
    pcm, meta = _collect(events)
    assert tones.decode(
        np.frombuffer(pcm, "<i2").astype(np.float32) / 32768, 24000
    ).text == "".join(PIECES)
    session = _tts_sessions(emulator)[-1]
    assert session.path == "/cognitiveservices/websocket/v2"
    assert [m.text for m in session.received("text.piece")] == PIECES
    assert len(session.received("text.end")) == 1
    ctx = session.received("synthesis.context")[0].json()
    assert ctx["synthesis"]["input"]["bidirectionalStreamingMode"] is True
    assert isinstance(events[-1], SessionEnd)
    words = [e for e in meta if isinstance(e, WordBoundary)]
    full = "".join(PIECES)
    assert [w.text_offset for w in words] == _offsets_in(full, words)


@pytest.mark.parametrize("mode", ["service", "sentences"])
async def test_stream_text_async(emulator: Emulator, aclient: AsyncSpeechClient, mode: str) -> None:
    async def gen() -> AsyncIterator[str]:
        for piece in PIECES:
            await asyncio.sleep(0)
            yield piece

    events = [e async for e in aclient.tts.stream_text(gen(), mode=mode)]
    pcm, meta = _collect(events)
    full = "".join(PIECES)
    decoded = tones.decode(np.frombuffer(pcm, "<i2").astype(np.float32) / 32768, 24000)
    assert decoded.text == full
    words = [e for e in meta if isinstance(e, WordBoundary)]
    tone_words = decoded.words
    assert len(words) == len(tone_words)
    for event, tone in zip(words, tone_words, strict=True):
        assert abs(event.offset_ticks - tone.start * TICKS // 24000) < 100_000
    assert [w.text_offset for w in words] == _offsets_in(full, words)
    (end,) = [e for e in meta if isinstance(e, SessionEnd)]
    assert end.offset_ticks == len(pcm) // 2 * TICKS // 24000


def test_stream_text_sentences_sync(emulator: Emulator, client: SpeechClient) -> None:
    events = list(client.tts.stream_text(PIECES, mode="sentences", style="cheerful"))
    pcm, _ = _collect(events)
    decoded = tones.decode(np.frombuffer(pcm, "<i2").astype(np.float32) / 32768, 24000)
    assert decoded.text == "".join(PIECES)
    sent = [m.text for s in _tts_sessions(emulator) for m in s.received("ssml")]
    assert len(sent) == 2 and all('style="cheerful"' in x for x in sent)


# -- voices and batch --------------------------------------------------------------------------


def test_voices_from_emulator(client: SpeechClient) -> None:
    voices = client.tts.list_voices()
    ava = client.tts.get_voice("en-US-AvaMultilingualNeural")
    assert len(voices) >= 10 and ava.sample_rate == 24000 and "fr-FR" in ava.secondary_locales
    assert {v.locale for v in client.tts.list_voices("zh-CN")} == {"zh-CN"}


async def test_voices_async(aclient: AsyncSpeechClient) -> None:
    voices = await aclient.tts.list_voices("en-GB")
    assert voices and all(v.locale == "en-GB" for v in voices)


def test_batch_end_to_end(emulator: Emulator, client: SpeechClient, tmp_path: Path) -> None:
    job = client.tts.batch.create(
        ["First text.", "Second text."],
        voice="en-US-AvaMultilingualNeural",
        word_boundary=True,
        description="test",
    )
    assert job.status == "NotStarted"
    statuses: list[str] = []
    done = client.tts.batch.wait(
        job, poll_interval=0.05, timeout=10, on_progress=lambda j: statuses.append(str(j.status))
    )
    assert done.succeeded and statuses[-1] == "Succeeded"
    assert done.properties.succeeded_audio_count == 2
    path = client.tts.batch.download(done, tmp_path / "result.zip")
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        assert {"0001.wav", "0002.wav", "summary.json", "0001.word.json"} <= names
        from azspeech.audio import Audio

        first = Audio(zf.read("0001.wav"), "riff-24khz-16bit-mono-pcm")
        assert _decode(first) == "First text."
    download = [r for r in emulator.requests if r.path.endswith(".zip")][-1]
    assert download.status == 200  # no credentials sent to the SAS URL
    assert job.id in [j.id for j in client.tts.batch.list(max_page_size=1)]
    client.tts.batch.delete(job)
    assert job.id not in [j.id for j in client.tts.batch.list()]


async def test_batch_async_failed_job(aclient: AsyncSpeechClient) -> None:
    job = await aclient.tts.batch.create("Hello.", voice="xx-XX-Unknown", id="async-failing-job")
    done = await aclient.tts.batch.wait(job, poll_interval=0.05, timeout=10)
    assert done.status == "Failed" and not done.succeeded
    assert done.properties.error is not None and "xx-XX-Unknown" in str(
        done.properties.error.message
    )
    with pytest.raises(InvalidRequestError, match="only a succeeded job"):
        await aclient.tts.batch.download(done, "never.zip")
    await aclient.tts.batch.delete(job)


def test_synthesize_then_recognize(client: SpeechClient) -> None:
    audio = client.tts.synthesize("Round trip works.", output_format="riff-16khz-16bit-mono-pcm")
    result = client.stt.recognize_once(audio.data)
    assert result.text == "Round trip works."


def test_sas_download_refuses_credentials(emulator: Emulator, client: SpeechClient) -> None:
    import httpx

    job = client.tts.batch.create("Hi.", voice="en-US-AvaNeural")
    done = client.tts.batch.wait(job, poll_interval=0.05, timeout=10)
    assert done.outputs is not None and done.outputs.result
    bad = httpx.get(done.outputs.result, headers={"Ocp-Apim-Subscription-Key": emulator.key})
    assert bad.status_code == 403
    good = httpx.get(done.outputs.result)
    assert good.status_code == 200 and zipfile.is_zipfile(io.BytesIO(good.content))


@pytest.mark.parametrize("mode", ["service", "sentences"])
def test_stream_text_nothing(client: SpeechClient, mode: str) -> None:
    events = list(client.tts.stream_text(["", ""], mode=mode))
    assert [type(e) for e in events] == [SessionEnd] and events[0].offset_ticks == 0


def test_close_pooled_connections(emulator: Emulator, client: SpeechClient) -> None:
    client.tts.synthesize("Pooled.")
    client.tts.close()
    client.tts.synthesize("Fresh.")
    assert len(_tts_sessions(emulator)) == 2
    assert _tts_sessions(emulator)[0].closed_by == "client"


async def test_stream_text_bad_piece(aclient: AsyncSpeechClient) -> None:
    with pytest.raises(TypeError, match="str"):
        async for _ in aclient.tts.stream_text(["ok. ", 42], mode="sentences"):  # type: ignore[list-item]
            pass
    with pytest.raises(TypeError, match="str"):
        async for _ in aclient.tts.stream_text(["ok ", 42]):  # type: ignore[list-item]
            pass


def test_official_sdk_names(client: SpeechClient) -> None:
    # Removed from the classes (the migration guide maps them), still answered with a warning.
    assert "speak_text" not in dir(client.tts) and "speak_ssml" not in dir(client.tts)
    with pytest.warns(DeprecationWarning, match="synthesize"):
        assert _decode(client.tts.speak_text("Alias.")) == "Alias."  # type: ignore[attr-defined]
    with pytest.warns(DeprecationWarning, match="synthesize"):
        ssml = Speak().voice("en-US-AvaNeural").text("Alias.").to_xml()
        assert _decode(client.tts.speak_ssml(ssml)) == "Alias."  # type: ignore[attr-defined]


def test_sts_token_auth(emulator: Emulator) -> None:
    with emulator.client(use_sts=True, max_retries=0) as c:
        assert _decode(c.tts.synthesize("Token.")) == "Token."
        assert c.tts.list_voices()
    with emulator.client(token=emulator.issue_token(), max_retries=0) as c:
        assert _decode(c.tts.synthesize("Bearer.", transport="rest")) == "Bearer."


async def test_stream_text_abandoned(emulator: Emulator, aclient: AsyncSpeechClient) -> None:
    async def slow() -> AsyncIterator[str]:
        yield "First sentence here. "
        await asyncio.sleep(30)  # the consumer leaves long before this
        yield "never"

    gen = aclient.tts.stream_text(slow())
    async for event in gen:
        if isinstance(event, AudioChunk):
            break
    await gen.aclose()
    audio = await aclient.tts.synthesize("After.")
    assert _decode(audio) == "After."


def test_rest_rate_limited_then_retried(emulator: Emulator) -> None:
    emulator.faults.reject(429, retry_after=0, path="/cognitiveservices/v1$")
    with emulator.client(max_retries=2) as c:
        assert _decode(c.tts.synthesize("Retried.", transport="rest")) == "Retried."
    statuses = [r.status for r in emulator.requests if r.path == "/cognitiveservices/v1"]
    assert statuses == [429, 200]


def test_voices_rate_limited(emulator: Emulator, client: SpeechClient) -> None:
    from azspeech.errors import RateLimitError

    emulator.faults.reject(429, retry_after=3, path="voices")
    with pytest.raises(RateLimitError) as info:
        client.tts.list_voices(refresh=True)
    assert info.value.retry_after == 3


def test_batch_service_unavailable_then_retried(emulator: Emulator) -> None:
    emulator.faults.reject(503, path="batchsyntheses")
    with emulator.client(max_retries=2) as c:
        job = c.tts.batch.create("Hi.", voice="en-US-AvaNeural")
        assert c.tts.batch.get(job).id == job.id
        c.tts.batch.delete(job)


def test_adjacent_voices_do_not_merge_words(client: SpeechClient) -> None:
    ssml = (
        Speak()
        .voice("en-US-AvaNeural")
        .text("First words.")
        .voice("en-US-AndrewNeural")
        .text("Second.")
        .to_xml()
    )
    events = list(client.tts.stream(ssml))
    meta = [
        (type(e).__name__, e.text)
        for e in events
        if isinstance(e, (WordBoundary, PunctuationBoundary))
    ]
    assert meta == [
        ("WordBoundary", "First"),
        ("WordBoundary", "words"),
        ("PunctuationBoundary", "."),
        ("WordBoundary", "Second"),
        ("PunctuationBoundary", "."),
    ]
    pcm, _ = _collect(events)
    assert (
        tones.decode(np.frombuffer(pcm, "<i2").astype(np.float32) / 32768, 24000).text
        == "First words. Second."
    )


def test_async_client_across_event_loops(emulator: Emulator) -> None:
    aclient = emulator.async_client(max_retries=0)

    async def once(text: str) -> str:
        return _decode(await aclient.tts.synthesize(text))

    assert asyncio.run(once("Loop one.")) == "Loop one."
    assert asyncio.run(once("Loop two.")) == "Loop two."  # the first loop's socket is not reused
