"""The generic session core: lifecycle and events, USP audio sessions, the blocking face.

* :mod:`.base`: :class:`~.base.AsyncSession` (lifecycle, event queue, typed
  callbacks, iteration, ``Canceled``-then-raise), for any duplex protocol;
* :mod:`.usp`: :class:`~.usp.AsyncUspSession`, audio over USP for any result
  codec (reconnect with backoff, replay, watchdogs), over
  :mod:`.audio_sender`'s :class:`~.audio_sender.UspAudioSender` (audio input,
  batched audio messages, flow control);
* :mod:`.blocking`: :class:`~.blocking.BlockingSession` and
  :class:`~.blocking.BlockingUspSession`, the one blocking wrapper, safe to
  call from its own callbacks;
* :mod:`.connection`: what a USP session needs of its connection, and the
  ``X-Timestamp`` clock.

A new USP feature (translation, language identification...) writes:

1. a :class:`~azspeech._protocol.recognition.ResultCodec` in ``_protocol/``:
   its partial and final paths, ``config()``/``context()`` bodies, how a
   body becomes typed events (``partial``/``final``/``detected``/``other``);
2. a subclass of :class:`~.usp.AsyncUspSession` naming its URL, codec,
   ``event_types`` and its started/stopped/canceled events (``_record`` to
   keep a transcript); ``first_final()`` gives a once-and-done call;
3. a subclass of :class:`~.blocking.BlockingUspSession` (or the class itself)
   for the blocking client.

A duplex protocol without USP (Voice Live) subclasses :class:`~.base.AsyncSession`
with ``_open``/``_serve``/``_release``/``_end_input`` and its events.
"""
