"""The class database for the pages: its URL from Streamlit's secrets or the environment, and what lives in it.

On Community Cloud the Secrets box sets `[connections.digits] url = "postgresql://..."`;
elsewhere $DIGITS_DATABASE_URL, else the SQLite file data/class.sqlite (the core decides).
Nothing is cached here but the class board (one a server: its scores on the class's digits are
computed once for every session, its listing is at most a second old): every other read goes to
the database, so two servers on one PostgreSQL show the same collection. Rows older than the
retention period go at the first use, then hourly.
"""

from __future__ import annotations

import streamlit as st

from digits_core.classroom import database
from digits_core.classroom.board import Board
from digits_core.classroom.owners import Owners
from digits_core.classroom.retention import expire_when_due, wipe
from digits_core.classroom.runs import KeptRuns
from digits_core.classroom.samples import Collection

WIPED = {"samples": "samples", "batches": "imports", "runs": "kept runs", "posts": "board posts",
         "owners": "model owners"}  # the tables retention.wipe empties, as the page names them


def database_url() -> str | None:
    """`[connections.digits] url` from the secrets, or None (then the core reads $DIGITS_DATABASE_URL)."""
    try:
        return st.secrets["connections"]["digits"]["url"]
    except (FileNotFoundError, KeyError):  # no secrets file, or no such entry in it
        return None


def collection() -> Collection:
    return Collection(_expired_url())


def kept_runs() -> KeptRuns:
    return KeptRuns(_expired_url())


def owners() -> Owners:
    return Owners(_expired_url())


def wipe_class() -> str:
    """The teacher's end of the course: every sample, import, kept run, board post and model owner removed at once;
    what went, in words."""
    removed = wipe(database_url())
    return ", ".join(f"{count:,} {WIPED[table]}" for table, count in removed.items())


def class_board() -> Board:
    """The server's class board (getting it never touches the database: every page's model picker asks for it)."""
    return _board(database.database_url(database_url()))


@st.cache_resource(show_spinner=False)
def _board(url: str) -> Board:
    """One board per database URL (one in the app; tests change the URL)."""
    return Board(url)


def _expired_url() -> str | None:
    """The URL, once the rows older than the retention period are gone (checked at most once an hour)."""
    url = database_url()
    expire_when_due(url)
    return url
