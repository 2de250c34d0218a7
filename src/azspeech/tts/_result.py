"""What ``synthesize()`` returns: :class:`~azspeech.audio.Audio` with the service's request id."""

from __future__ import annotations

from ..audio import Audio
from ..audio.formats import OutputFormat, PcmFormat

__all__ = ["SynthesizedAudio"]


class SynthesizedAudio(Audio):
    """The :class:`~azspeech.audio.Audio` of one ``tts.synthesize()`` call.

    Everything an :class:`Audio` is (equality ignores the request id), plus
    :attr:`request_id`: the service's id of the REST request that produced it
    (its ``apim-request-id`` / ``X-RequestId`` answer header), for support
    tickets, as ``request_id`` on the models other REST methods return.
    """

    __slots__ = ("_request_id",)

    def __init__(
        self,
        data: bytes | bytearray | memoryview,
        format: OutputFormat | PcmFormat | str,
        *,
        request_id: str | None = None,
    ) -> None:
        super().__init__(data, format)
        self._request_id = request_id

    @property
    def request_id(self) -> str | None:
        """The service's id of the request (None over the WebSocket, or if none was sent)."""
        return self._request_id
