"""Who a student is without names or accounts: a random browser id, and a nickname the student picks.

The id is random (no name, no address in it) and lives in the page's URL, so a reload or a
bookmark brings the same student back. A nickname is plain text: stored and shown as data,
never pasted into SQL or HTML.
"""

from __future__ import annotations

import re
import secrets

NICKNAME_LENGTH = 24
_BROWSER_ID = re.compile(r"^[A-Za-z0-9_-]{16}$")


class NicknameError(ValueError):
    """A nickname the class cannot use, with the rule it broke."""


def new_browser_id() -> str:
    """A fresh random id for a browser: 16 URL-safe characters (96 random bits)."""
    return secrets.token_urlsafe(12)


def is_browser_id(text: object) -> bool:
    """Whether `text` has the form of an id this app gives (anything else in the URL is ignored)."""
    return isinstance(text, str) and bool(_BROWSER_ID.match(text))


def clean_nickname(text: str) -> str:
    """The nickname trimmed; NicknameError if it is empty, longer than 24 characters or not printable."""
    nickname = " ".join(str(text).split())
    if not nickname:
        raise NicknameError("a nickname needs at least one letter or digit")
    if len(nickname) > NICKNAME_LENGTH:
        raise NicknameError(f"a nickname has at most {NICKNAME_LENGTH} characters (this one has {len(nickname)})")
    if not nickname.isprintable():
        raise NicknameError("a nickname can only hold printable characters")
    return nickname
