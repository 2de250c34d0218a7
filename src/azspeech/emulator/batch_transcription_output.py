"""What a batch transcription produces: audio fetched from its URLs, recognized, written as JSON.

The emulator fetches content URLs the way the service fetches them from
Blob Storage: a plain GET with no credentials (the SAS is in the URL). A
container URL is listed with ``?restype=container&comp=list`` (the Blob
Storage list call, which Azurite answers too). Only loopback hosts are
fetched unless ``state.extra["batch_transcription_any_host"]`` is true: the
emulator never leaves the machine by accident.

Each audio file becomes a result file in the documented format
(``combinedRecognizedPhrases``, ``recognizedPhrases[].nBest[]`` with ISO-8601
times and 100-ns ticks); a file that cannot be fetched or decoded gets a
failure with a code of the spec's ``DetailedErrorCode`` list.
"""

from __future__ import annotations

import datetime as _dt
import ipaddress
import re
import urllib.parse
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

import httpx
import numpy as np

from ._audio import AudioFormatError, decode_file, to_engine_rate
from .engines.base import RecognitionOptions
from .results import OutputOptions, guess_language, phrase_texts, ticks
from .state import EmulatorState
from .stt_rest import recognize_samples

__all__ = ["AudioFailure", "fetch_audio", "iso_duration", "list_container", "transcribe_audio"]

MAX_AUDIO_BYTES = 300 * 1024 * 1024
MAX_LISTED_BLOBS = 10_000
_PROFANITY = {"none": "raw", "masked": "masked", "removed": "removed", "tags": "tagged"}


@dataclass
class AudioFailure(Exception):
    """One audio file that could not be transcribed: a ``DetailedErrorCode`` and a message."""

    code: str
    message: str


def _allowed(state: EmulatorState, url: str) -> None:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise AudioFailure("InvalidRecordingsUri", f"Unsupported URL scheme in {parts.scheme!r}.")
    if state.extra.get("batch_transcription_any_host"):
        return
    host = (parts.hostname or "").lower()
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        raise AudioFailure(
            "InvalidRecordingsUri", f"The emulator only fetches from loopback hosts, not {host}."
        )


async def _get(client: httpx.AsyncClient, state: EmulatorState, url: str) -> bytes:
    _allowed(state, url)
    try:
        async with client.stream("GET", url) as resp:
            if resp.status_code in (401, 403):
                raise AudioFailure(
                    "InaccessibleCustomerStorage",
                    f"Access to the audio was denied ({resp.status_code}).",
                )
            if resp.status_code != 200:
                raise AudioFailure(
                    "InvalidRecordingsUri", f"Downloading the audio failed ({resp.status_code})."
                )
            data = bytearray()
            async for chunk in resp.aiter_bytes():
                data += chunk
                if len(data) > MAX_AUDIO_BYTES:
                    raise AudioFailure("AudioLengthLimitExceeded", "The audio file is too large.")
            return bytes(data)
    except httpx.HTTPError as exc:
        raise AudioFailure("InvalidRecordingsUri", f"Downloading the audio failed: {exc}") from exc


async def fetch_audio(client: httpx.AsyncClient, state: EmulatorState, url: str) -> bytes:
    """The bytes at *url* (no credentials sent), or :class:`AudioFailure`."""
    data = await _get(client, state, url)
    if not data:
        raise AudioFailure("EmptyAudioFile", "The audio file is empty.")
    return data


async def list_container(client: httpx.AsyncClient, state: EmulatorState, url: str) -> list[str]:
    """The blob URLs of a container SAS URL (Blob Storage's list call, markers followed)."""
    parts = urllib.parse.urlsplit(url)
    sas = parts.query
    urls: list[str] = []
    marker = ""
    for _ in range(1000):
        query = "restype=container&comp=list" + (
            f"&marker={urllib.parse.quote(marker)}" if marker else ""
        )
        listing = parts._replace(query=f"{query}&{sas}" if sas else query).geturl()
        try:
            root = ET.fromstring(await _get(client, state, listing))
        except ET.ParseError as exc:
            raise AudioFailure("InvalidRecordingsUri", "The container listing is not XML.") from exc
        for name in root.iter("Name"):
            if name.text and len(urls) < MAX_LISTED_BLOBS:
                path = parts.path.rstrip("/") + "/" + urllib.parse.quote(name.text)
                urls.append(parts._replace(path=path, query=sas).geturl())
        marker = (root.findtext("NextMarker") or "").strip()
        if not marker:
            break
    return urls


def iso_duration(tick_count: float) -> str:
    """100-ns ticks as an ISO-8601 duration (``PT1M4.5S``)."""
    total = _dt.timedelta(microseconds=int(tick_count) // 10)
    hours, rest = divmod(total.total_seconds(), 3600)
    minutes, seconds = divmod(rest, 60)
    out = "PT"
    if hours:
        out += f"{int(hours)}H"
    if minutes:
        out += f"{int(minutes)}M"
    text = f"{seconds:.3f}".rstrip("0").rstrip(".")
    return out + (text or "0") + "S"


def _timed(start: int, end: int) -> dict[str, Any]:
    off, dur = ticks(start), ticks(end - start)
    return {
        "offset": iso_duration(off),
        "duration": iso_duration(dur),
        "offsetInTicks": float(off),
        "durationInTicks": float(dur),
    }


_PUNCT = re.compile(r"[.,;:!?]")


def transcribe_audio(
    state: EmulatorState, body: bytes, source: str, props: dict[str, Any], locale: str
) -> dict[str, Any]:
    """The result file of one audio file (blocking: run it in a thread)."""
    try:
        data, rate = decode_file(body)
    except AudioFormatError as exc:
        raise AudioFailure("InvalidAudioFormat", f"The audio could not be decoded: {exc}") from exc
    n_channels = data.shape[1]
    wanted = props.get("channels") or [0, 1]
    channels = [c for c in wanted if 0 <= c < n_channels]
    if not channels:
        raise AudioFailure("InvalidChannelSpecification", f"The audio has {n_channels} channel(s).")
    diar = props.get("diarization") or {}
    diarize = bool(diar.get("enabled")) or diar.get("maxSpeakers") is not None
    lid = props.get("languageIdentification") or {}
    candidates = [str(c) for c in lid.get("candidateLocales") or []]
    profanity = _PROFANITY.get(str(props.get("profanityFilterMode") or "Masked").lower(), "masked")
    opts = OutputOptions(profanity=profanity, language=locale)
    no_punct = props.get("punctuationMode") == "None"
    phrases: list[dict[str, Any]] = []
    combined: list[dict[str, Any]] = []
    for channel in channels:
        mono = to_engine_rate(data[:, channel].astype(np.float32), rate)
        reco = RecognitionOptions(
            mode="conversation",
            language=None if candidates else locale,
            diarization=diarize,
            max_speakers=int(diar.get("maxSpeakers") or 35),
            candidate_languages=candidates,
        )
        forms_all: list[dict[str, str]] = []
        for seg in recognize_samples(state, mono, reco):
            t = seg.transcript
            if t is None or not t.text.strip():
                continue
            forms = phrase_texts(t, opts)
            if no_punct:
                forms["Display"] = _PUNCT.sub("", forms["Display"])
            forms_all.append(forms)
            best: dict[str, Any] = {
                "confidence": round(t.confidence, 7),
                "lexical": forms["Lexical"],
                "itn": forms["ITN"],
                "maskedITN": forms["MaskedITN"],
                "display": forms["Display"],
            }
            if props.get("wordLevelTimestampsEnabled"):
                best["words"] = [
                    {"word": w.text.lower().strip(".,;:!?"), **_timed(w.start, w.end),
                     "confidence": round(w.confidence, 7)}
                    for w in t.words
                ]  # fmt: skip
            if props.get("displayFormWordLevelTimestampsEnabled"):
                best["displayWords"] = [
                    {"displayText": w.text, **_timed(w.start, w.end)} for w in t.words
                ]
            phrase: dict[str, Any] = {"recognitionStatus": "Success", "channel": channel}
            if diarize and seg.speaker is not None:
                phrase["speaker"] = seg.speaker + 1
            phrase.update(_timed(seg.start, seg.end))
            if candidates:
                phrase["locale"] = guess_language(t.text, candidates, None) or candidates[0]
            phrase["nBest"] = [best]
            phrases.append(phrase)
        combined.append(
            {
                "channel": channel,
                "lexical": " ".join(f["Lexical"] for f in forms_all),
                "itn": " ".join(f["ITN"] for f in forms_all),
                "maskedITN": " ".join(f["MaskedITN"] for f in forms_all),
                "display": " ".join(f["Display"] for f in forms_all),
            }
        )
    phrases.sort(key=lambda p: (p["offsetInTicks"], p["channel"]))
    duration = round(len(data) * 10_000_000 / rate)
    return {
        "source": urllib.parse.urlsplit(source)._replace(query="").geturl(),
        "timestamp": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "durationInTicks": duration,
        "durationMilliseconds": duration // 10_000,
        "duration": iso_duration(duration),
        "combinedRecognizedPhrases": combined,
        "recognizedPhrases": phrases,
    }
