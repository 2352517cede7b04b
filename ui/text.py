"""Text that others typed (nicknames, model names), shown in Markdown as the very characters they typed."""

from __future__ import annotations

import re

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation mark: CommonMark lets each be escaped


def plain(text: object) -> str:
    """`text` for st.markdown and friends with every Markdown, colour, icon and math sign escaped: shown, never run."""
    return _PUNCTUATION.sub(r"\\\1", " ".join(str(text).split()))
