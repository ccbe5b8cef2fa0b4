"""The channel-independent core: interview, evaluator, knowledge search, rendering.

Nothing under ``bot.core`` may import ``telegram`` or ``sqlmodel`` (a test enforces it).
"""
