"""The only place that does I/O: HTTP (httpx) and WebSocket (websockets), sync and async."""
