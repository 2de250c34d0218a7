"""The custom speech entities of the emulator: how they are stored, processed and shown.

An entity's status is worked out whenever the store is read (nothing runs in
the background): a dataset starts processing when its content is there (a
``contentUrl`` fetched at creation, or committed blocks), a model when its
datasets are final, an endpoint when its model is, an evaluation when its
dataset and models are. Each takes ``state.extra["custom_speech_seconds"]``
(default 0.3 s): ``Running`` after a quarter of it, then ``Succeeded`` or
``Failed`` with one of the service's error codes (``FailedDataset``,
``InvalidDataset``, ``DataImportFailed``...). Results are derived from the
data: line counts and audio durations of datasets, word error rates of
evaluations from the words of the dataset's transcripts.
"""

from __future__ import annotations

import datetime as _dt
import io
import json
import math
import secrets
import threading
import time
import uuid
import wave
import zipfile
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .state import EmulatorState

__all__ = ["API_VERSION", "BASE_MODELS", "CsFile", "Entity", "Store", "store_of"]

API_VERSION = "2025-10-15"
FILES_PATH = "/emulator/customspeech/files"
_LOCALES = ("en-US", "de-DE", "fr-FR", "es-ES", "ja-JP")
_DATA_FILE_KIND = {
    "Language": "LanguageData", "LanguageMarkdown": "LanguageData",
    "Pronunciation": "PronunciationData", "Acoustic": "AcousticDataArchive",
    "AudioFiles": "Audio", "OutputFormatting": "OutputFormattingData",
}  # fmt: skip


def now_iso(delta: _dt.timedelta = _dt.timedelta(0)) -> str:
    """The current UTC time (plus *delta*) the way the service writes it."""
    t = _dt.datetime.now(_dt.timezone.utc) + delta
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _base_models() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for locale in _LOCALES:
        for name in ("20230111", "20241218"):
            mid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"azspeech-emulator/{locale}/{name}"))
            out[mid] = {"displayName": f"{name} (emulator)", "locale": locale,
                        "description": f"Emulated base model {name} for {locale}."}  # fmt: skip
    return out


BASE_MODELS = _base_models()


@dataclass
class CsFile:
    """A file of an entity, served at a SAS-like URL of the emulator."""

    id: str
    name: str
    kind: str
    content: bytes
    duration_ms: int = 0
    created_at: str = field(default_factory=now_iso)
    sig: str = field(default_factory=lambda: secrets.token_urlsafe(16))


@dataclass
class Entity:
    """A project, dataset, model, endpoint, evaluation or model-copy operation."""

    collection: str
    id: str
    body: dict[str, Any]
    status: str | None = "NotStarted"
    created_at: str = field(default_factory=now_iso)
    last_action: str = field(default_factory=now_iso)
    started: float | None = None
    data: bytes | None = None
    fetch_error: str | None = None
    error: dict[str, str] | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    files: list[CsFile] = field(default_factory=list)
    blocks: dict[str, bytes] = field(default_factory=dict)
    committed: list[str] = field(default_factory=list)
    words: int = 0
    sentences: int = 0


class Store:
    """Every entity of the emulator, by collection and id."""

    def __init__(self) -> None:
        self.entities: dict[tuple[str, str], Entity] = {}
        self.authorizations: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()

    def get(self, collection: str, entity_id: str) -> Entity | None:
        return self.entities.get((collection, entity_id))

    def of(self, collection: str) -> list[Entity]:
        return [e for (c, _), e in self.entities.items() if c == collection]

    def add(self, entity: Entity) -> Entity:
        self.entities[(entity.collection, entity.id)] = entity
        return entity

    def ref_id(self, ref: Any, collection: str) -> str | None:
        """The id of an ``EntityReference`` to an existing entity of *collection*."""
        url = ref.get("self") if isinstance(ref, dict) else None
        if not isinstance(url, str):
            return None
        path = urlsplit(url).path.rstrip("/")
        head, _, entity_id = path.rpartition("/")
        if not head.endswith(f"/speechtotext/{collection}"):
            return None
        if collection == "models/base":
            return entity_id if entity_id in BASE_MODELS else None
        return entity_id if self.get(collection, entity_id) is not None else None

    def file(self, file_id: str) -> CsFile | None:
        for entity in self.entities.values():
            for f in entity.files:
                if f.id == file_id:
                    return f
        return None

    # -- processing ---------------------------------------------------------------------------

    def advance(self, state: EmulatorState) -> None:
        """Move every entity on, as far as the time since it started allows."""
        seconds = float(state.extra.get("custom_speech_seconds", 0.3))
        for collection in ("datasets", "models", "endpoints", "evaluations", "copies"):
            for entity in self.of(collection):
                self._advance(entity, seconds)

    def _prerequisites(self, e: Entity) -> list[Entity | None]:
        b = e.body
        if e.collection == "models":
            return [self.get("datasets", self.ref_id(d, "datasets") or "") for d in b["datasets"]]
        if e.collection == "endpoints" and "/models/base/" not in b["model"]["self"]:
            return [self.get("models", self.ref_id(b["model"], "models") or "")]
        if e.collection == "evaluations":
            out = [self.get("datasets", self.ref_id(b["dataset"], "datasets") or "")]
            for key in ("model1", "model2"):
                if "/models/base/" not in b[key]["self"]:
                    out.append(self.get("models", self.ref_id(b[key], "models") or ""))
            return out
        return []

    def _advance(self, e: Entity, seconds: float) -> None:
        if e.status in (None, "Succeeded", "Failed"):
            return
        if e.started is None and e.collection != "datasets":
            prereqs = self._prerequisites(e)
            if any(p is None for p in prereqs):
                return self._fail(e, "InvalidPrerequisite", "A referenced entity was deleted.")
            failed = [p for p in prereqs if p is not None and p.status == "Failed"]
            if failed:
                code = "FailedDataset" if failed[0].collection == "datasets" else "InvalidModel"
                return self._fail(e, code, f"The {failed[0].collection[:-1]} failed.")
            if all(p is not None and p.status == "Succeeded" for p in prereqs):
                e.started = time.monotonic()
        if e.started is None:
            return
        elapsed = time.monotonic() - e.started
        if elapsed >= seconds:
            try:
                getattr(self, f"_finish_{e.collection}")(e)
            except _Failure as exc:
                return self._fail(e, exc.code, exc.message)
            e.status, e.last_action = "Succeeded", now_iso()
        elif e.status == "NotStarted" and elapsed >= seconds / 4:
            e.status, e.last_action = "Running", now_iso()

    def _fail(self, e: Entity, code: str, message: str) -> None:
        e.status, e.error, e.last_action = "Failed", {"code": code, "message": message}, now_iso()

    def _finish_datasets(self, e: Entity) -> None:
        if e.fetch_error is not None:
            raise _Failure("DataImportFailed", e.fetch_error)
        data = e.data or b""
        if not data:
            raise _Failure("InvalidDataset", "The dataset is empty.")
        kind = e.body["kind"]
        if kind in ("Acoustic", "AudioFiles"):
            accepted, rejected, duration = self._audio_archive(e, data, kind == "Acoustic")
            e.properties = {"acceptedLineCount": accepted, "rejectedLineCount": rejected,
                            "durationMilliseconds": duration}  # fmt: skip
        else:
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise _Failure("InvalidDocument", "The dataset is not UTF-8 text.") from None
            lines = [ln for ln in text.splitlines() if ln.strip()]
            good = [ln for ln in lines if kind != "Pronunciation" or ln.count("\t") == 1]
            if not good:
                raise _Failure("InvalidDataset", "The dataset has no usable lines.")
            e.properties = {"acceptedLineCount": len(good),
                            "rejectedLineCount": len(lines) - len(good)}  # fmt: skip
        name = "data.zip" if kind in ("Acoustic", "AudioFiles") else "data.txt"
        report = {"kind": kind, **e.properties}
        e.files = [
            CsFile(str(uuid.uuid4()), name, _DATA_FILE_KIND[kind], data,
                   e.properties.get("durationMilliseconds", 0)),
            CsFile(str(uuid.uuid4()), "report.json", "DatasetReport", json.dumps(report).encode()),
        ]  # fmt: skip

    def _audio_archive(
        self, e: Entity, data: bytes, with_transcripts: bool
    ) -> tuple[int, int, int]:
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile:
            raise _Failure("InvalidDataset", "An audio dataset must be a zip archive.") from None
        with zf:
            durations: dict[str, int] = {}
            for info in zf.infolist():
                if info.filename.lower().endswith(".wav"):
                    try:
                        with wave.open(io.BytesIO(zf.read(info))) as w:
                            durations[info.filename] = w.getnframes() * 1000 // w.getframerate()
                    except (wave.Error, EOFError):
                        continue
            if not durations:
                raise _Failure("InvalidDataset", "The archive holds no readable WAV audio.")
            if not with_transcripts:
                return len(durations), 0, sum(durations.values())
            names = [n for n in zf.namelist() if n.lower().endswith(".txt")]
            if not names:
                raise _Failure("InvalidDataset", "An acoustic dataset needs a transcript file.")
            lines = [ln for ln in zf.read(names[0]).decode("utf-8-sig").splitlines() if ln.strip()]
        good = [ln.split("\t", 1) for ln in lines if ln.split("\t", 1)[0] in durations]
        good = [pair for pair in good if len(pair) == 2]
        e.words = sum(len(text.split()) for _, text in good)
        e.sentences = len(good)
        return len(good), len(lines) - len(good), sum(durations.values())

    def _finish_models(self, e: Entity) -> None:
        props = dict(e.body.get("properties") or {})
        props["deprecationDates"] = {"transcriptionDateTime": now_iso(_dt.timedelta(days=730))}
        props["features"] = {
            "supportsTranscriptionsSubmit": True, "supportsTranscriptionsTranscribe": True,
            "supportsEndpoints": True, "supportsTranscriptionsOnSpeechContainers": True,
            "supportedOutputFormats": ["Display", "Lexical"],
        }  # fmt: skip
        e.properties = props
        report = {"datasets": len(e.body["datasets"]), "status": "Succeeded"}
        e.files = [
            CsFile(str(uuid.uuid4()), "report.json", "ModelReport", json.dumps(report).encode()),
            CsFile(str(uuid.uuid4()), "model.bin", "ModelReport", secrets.token_bytes(64)),
        ]  # fmt: skip

    def _finish_endpoints(self, e: Entity) -> None:
        logging_on = bool((e.body.get("properties") or {}).get("loggingEnabled", False))
        e.properties = {"loggingEnabled": logging_on}

    def _finish_copies(self, e: Entity) -> None:
        source = self.get("models", e.body["model"])
        if source is None:
            raise _Failure("InvalidModel", "The source model was deleted.")
        copy = Entity("models", str(uuid.uuid4()), dict(source.body), status="Succeeded",
                      properties=dict(source.properties), files=list(source.files))  # fmt: skip
        self.add(copy)
        e.properties = {"result": copy.id}

    def _finish_evaluations(self, e: Entity) -> None:
        dataset = self.get("datasets", self.ref_id(e.body["dataset"], "datasets") or "")
        assert dataset is not None  # a prerequisite
        if dataset.words == 0:
            raise _Failure("InvalidDataset", "The dataset has no transcribed audio to compare.")
        props: dict[str, Any] = {}
        for n in ("1", "2"):
            ref = e.body[f"model{n}"]
            adapted = 0
            if "/models/base/" not in ref["self"]:
                model = self.get("models", self.ref_id(ref, "models") or "")
                adapted = len(model.body["datasets"]) if model is not None else 0
            props.update(_scores(n, dataset.words, dataset.sentences, 0.18 * 0.6**adapted))
        e.properties = props
        details = {"words": dataset.words, "sentences": dataset.sentences, **props}
        e.files = [CsFile(str(uuid.uuid4()), "details.json", "EvaluationDetails",
                          json.dumps(details).encode())]  # fmt: skip


class _Failure(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _scores(n: str, words: int, sentences: int, rate: float) -> dict[str, Any]:
    errors = round(words * rate)
    sub, dele = errors // 2, errors // 4
    ins = errors - sub - dele
    wrong_sentences = min(sentences, math.ceil(errors / 2))
    return {
        f"wordErrorRate{n}": round(errors / words, 4),
        f"sentenceErrorRate{n}": round(wrong_sentences / max(sentences, 1), 4),
        f"sentenceCount{n}": sentences, f"wordCount{n}": words,
        f"correctWordCount{n}": words - sub - dele, f"wordSubstitutionCount{n}": sub,
        f"wordDeletionCount{n}": dele, f"wordInsertionCount{n}": ins,
    }  # fmt: skip


def store_of(state: EmulatorState) -> Store:
    """The custom speech store of *state* (made on first use)."""
    store = state.extra.get("custom_speech")
    if not isinstance(store, Store):
        store = state.extra["custom_speech"] = Store()
    return store


# -- views ------------------------------------------------------------------------------------

_MEMBERS = ("datasets", "models", "endpoints", "evaluations")


def file_view(f: CsFile, owner: str, base: str) -> dict[str, Any]:
    """The ``File`` JSON of *f* (its content URL carries a made-up SAS signature)."""
    return {
        "self": f"{base}/speechtotext/{owner}/files/{f.id}", "name": f.name, "kind": f.kind,
        "links": {"contentUrl": f"{base}{FILES_PATH}/{f.id}?sv=2023-11-03&sr=b&sp=r&sig={f.sig}"},
        "properties": {"size": len(f.content), "durationMilliseconds": f.duration_ms},
        "createdDateTime": f.created_at,
    }  # fmt: skip


def base_model_view(model_id: str, base: str) -> dict[str, Any]:
    """The ``BaseModel`` JSON of a base model."""
    info = BASE_MODELS[model_id]
    url = f"{base}/speechtotext/models/base/{model_id}"
    features = {
        "supportsTranscriptionsSubmit": True, "supportsTranscriptionsTranscribe": True,
        "supportsEndpoints": True, "supportsTranscriptionsOnSpeechContainers": True,
        "supportedOutputFormats": ["Display", "Lexical"],
        "supportsAdaptationsWith": ["Language", "Acoustic", "Pronunciation", "OutputFormatting"],
    }  # fmt: skip
    return {
        "self": url, **info, "createdDateTime": "2024-12-18T00:00:00Z",
        "lastActionDateTime": "2024-12-18T00:00:00Z", "status": "Succeeded",
        "links": {"manifest": f"{url}/manifest"},
        "properties": {
            "deprecationDates": {"adaptationDateTime": "2027-01-15T00:00:00Z",
                                 "transcriptionDateTime": "2028-01-15T00:00:00Z"},
            "features": features, "chargeForAdaptation": True,
        },
    }  # fmt: skip


def view(e: Entity, base: str) -> dict[str, Any]:
    """The JSON of *e* as the service shows it."""
    url = f"{base}/speechtotext/{e.collection}/{e.id}"
    out = {k: v for k, v in e.body.items() if k not in ("properties", "links", "status")}
    out.update({"self": url, "createdDateTime": e.created_at})
    if e.collection == "projects":
        out["links"] = {m: f"{url}/{m}" for m in (*_MEMBERS, "transcriptions")}
        return out
    out.update({"lastActionDateTime": e.last_action, "status": e.status})
    props = {**(e.body.get("properties") or {}), **e.properties}
    if e.error:
        props["error"] = e.error
    if e.collection == "datasets":
        blocks = f"{url}/blocks"
        out["links"] = {"files": f"{url}/files", "listBlocks": blocks,
                        "uploadBlocks": blocks, "commitBlocks": f"{blocks}:commit"}  # fmt: skip
    elif e.collection == "models":
        out["links"] = {"manifest": f"{url}/manifest", "copy": f"{url}:copy",
                        "files": f"{url}/files"}  # fmt: skip
    elif e.collection == "evaluations":
        out["links"] = {"files": f"{url}/files"}
    elif e.collection == "endpoints":
        host = urlsplit(base).netloc
        out["links"] = {"webSocket": f"ws://{host}/speech/recognition/conversation/"
                        f"cognitiveservices/v1?cid={e.id}"}  # fmt: skip
        props = {k: v for k, v in props.items() if k != "contentLoggingEnabled"}
    out["properties"] = props
    return out


def operation_view(e: Entity, base: str) -> dict[str, Any]:
    """The ``Operation`` JSON of a model copy."""
    out: dict[str, Any] = {
        "id": e.id, "self": f"{base}/speechtotext/operations/models/copy/{e.id}",
        "createdDateTime": e.created_at, "lastActionDateTime": e.last_action, "status": e.status,
    }  # fmt: skip
    if e.status == "Succeeded":
        out["result"] = {"link": f"{base}/speechtotext/models/{e.properties['result']}"}
    if e.error:
        out["error"] = e.error
    return out
