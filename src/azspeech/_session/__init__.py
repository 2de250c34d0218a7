"""The generic session core: lifecycle and events, USP audio sessions, the blocking face.

* :mod:`.base`: :class:`~.base.AsyncSession` (lifecycle, event queue, typed
  callbacks, iteration, ``Canceled``-then-raise), for any duplex protocol;
* :mod:`.usp`: :class:`~.usp.AsyncUspSession`, audio over USP for any result
  codec (reconnect with backoff, replay, flow control, watchdogs);
* :mod:`.blocking`: :class:`~.blocking.BlockingSession`, the one blocking
  wrapper, safe to call from its own callbacks.
"""
