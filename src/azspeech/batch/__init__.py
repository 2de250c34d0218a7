"""Batch transcription (placeholder until the batch branch lands)."""
