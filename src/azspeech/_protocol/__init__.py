"""Sans-I/O protocol code: message framing, request builders, result parsers.

Nothing here opens a socket or touches an event loop; the client front ends and
the emulator share it.
"""
