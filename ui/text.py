"""Text that others typed (nicknames, model names), shown in Markdown as the very characters they typed."""

from __future__ import annotations

import re

_MARKUP = re.compile(r"([\\`*_\[\]<>#|~$:!&=])")  # emphasis, code, links, HTML, math, icons and colours, headings
_LIST_ITEM = re.compile(r"^([-+]|\d+[.)])")  # what makes a line a list item, where the text starts a line


def plain(text: object) -> str:
    """`text` on one line for st.markdown and friends, every sign Markdown or Streamlit would act on escaped: shown
    as typed, never run."""
    escaped = _MARKUP.sub(r"\\\1", " ".join(str(text).split()))
    return _LIST_ITEM.sub(lambda item: item.group(1)[:-1] + "\\" + item.group(1)[-1], escaped)
