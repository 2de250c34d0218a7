"""Recognition engines behind the emulator (pluggable; ``tones`` is the deterministic default)."""
