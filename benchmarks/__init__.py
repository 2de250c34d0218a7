"""azspeech's benchmarks: one script per subject, and ``python -m benchmarks`` running them all.

See ``benchmarks/__main__.py`` for the entry point and each ``bench_*.py`` for
what it measures and how.
"""
