"""Render stage: reports → the views people and programs read (JSON, summaries, generated layouts)."""
