"""Who is using this tab: the browser's id kept in the URL, the student's nickname, and the teacher's unlock.

app.py calls `keep_identity()` on every run: Streamlit's navigation drops a page's query
parameters (streamlit#7982), so the id is written back each time. The passcode comes from
`st.secrets["teacher_passcode"]` (Community Cloud's Secrets box) or $DIGITS_TEACHER_PASSCODE.
"""

from __future__ import annotations

import streamlit as st

from digits_core.classroom.identity import NicknameError, clean_nickname, is_browser_id, new_browser_id
from digits_core.classroom.roles import PASSCODE_ENV, PasscodeGate, TryLater, passcode_from_env, \
    teacher_only_reason

ID_PARAM, NICK_PARAM = "id", "nick"  # the URL's query parameters
BROWSER_ID = "browser_id"  # session_state keys
NICKNAME = "nickname"
TEACHER = "teacher"
# Bold, not code spans: grey caption text on a code span's background is too faint (axe), and a $ starts LaTeX
SET_PASSCODE_HINT = ("Anyone using this app can do this. To keep it for the teacher, set **teacher_passcode** in "
                     "**.streamlit/secrets.toml** (Community Cloud: the app's Secrets) or the environment variable "
                     f"**{PASSCODE_ENV}**.")


def keep_identity() -> None:
    """This tab's browser id and nickname: taken from the URL (a reload, a bookmark) or made, then put back in it."""
    state = st.session_state
    from_url = st.query_params.get(ID_PARAM)
    if is_browser_id(from_url):
        state[BROWSER_ID] = from_url
    elif not is_browser_id(state.get(BROWSER_ID)):
        state[BROWSER_ID] = new_browser_id()
    if NICKNAME not in state:
        try:
            state[NICKNAME] = clean_nickname(st.query_params.get(NICK_PARAM, ""))
        except NicknameError:
            state[NICKNAME] = None
    st.query_params[ID_PARAM] = state[BROWSER_ID]
    if state[NICKNAME]:
        st.query_params[NICK_PARAM] = state[NICKNAME]


def browser_id() -> str | None:
    """This browser's random id (None before app.py has run `keep_identity`, as in some tests)."""
    return st.session_state.get(BROWSER_ID)


def nickname() -> str | None:
    """The nickname this student picked, or None."""
    return st.session_state.get(NICKNAME)


@st.cache_resource(show_spinner=False)
def teacher_gate() -> PasscodeGate:
    """The server's one passcode gate: its count of wrong tries is shared by every session."""
    return PasscodeGate(_passcode())


def _passcode() -> str | None:
    """`teacher_passcode` from the secrets, else $DIGITS_TEACHER_PASSCODE (st.secrets raises without a file)."""
    try:
        value = st.secrets.get("teacher_passcode")
    except Exception:  # no secrets.toml, or one that does not parse: fall back to the environment
        value = None
    return (str(value).strip() or None) if value is not None else passcode_from_env()


def is_teacher() -> bool:
    """Whether this session may do what only the teacher may: unlocked, or no passcode is set."""
    return not teacher_gate().enabled or bool(st.session_state.get(TEACHER))


def locked(action: str) -> str | None:
    """None when this session may take `action` (roles.TEACHER_ACTIONS), else the line saying why not."""
    return None if is_teacher() else teacher_only_reason(action)


def role_caption() -> None:
    """The one line a page with teacher-only actions shows: how to set a passcode, or that some are locked."""
    if not teacher_gate().enabled:
        st.caption(SET_PASSCODE_HINT)
    elif not is_teacher():
        st.caption("Some actions on this page are the teacher's: they are greyed out until Teacher is unlocked.")


def identity_sidebar() -> None:
    """The sidebar's nickname field and Teacher unlock."""
    with st.sidebar:
        st.text_input("Your nickname", value=nickname() or "", max_chars=24, key="nickname_field",
                      on_change=_take_nickname, placeholder="shown on the class board",
                      help="No real names needed: pick anything, at most 24 characters.")
        if st.session_state.get("nickname_error"):
            st.error(st.session_state["nickname_error"])
        if teacher_gate().enabled:
            _teacher_unlock()


def _take_nickname() -> None:
    try:
        st.session_state[NICKNAME] = clean_nickname(st.session_state["nickname_field"])
        st.session_state.pop("nickname_error", None)
    except NicknameError as error:
        st.session_state["nickname_error"] = f"Not taken: {error}."


def _teacher_unlock() -> None:
    if st.session_state.get(TEACHER):
        st.success("Teacher: unlocked for this tab.", icon=":material/lock_open:")
        if st.button("Lock", key="teacher_lock"):
            st.session_state[TEACHER] = False
            st.rerun()
        return
    with st.expander("Teacher", icon=":material/lock:"):
        with st.form("teacher_unlock", border=False):
            attempt = st.text_input("Teacher passcode", type="password")
            if st.form_submit_button("Unlock"):
                _try_unlock(attempt)


def wrong_passcode_message(tries_left: int) -> str:
    """What a wrong try says: how many more the server takes before every try waits (each try's own words)."""
    if tries_left == 0:
        return "Wrong passcode. That was one too many: every try on this server waits now."
    tries = "try" if tries_left == 1 else "tries"
    return f"Wrong passcode. {tries_left} more wrong {tries} on this server and every try waits."


def _try_unlock(attempt: str) -> None:
    try:
        if teacher_gate().check(attempt):
            st.session_state[TEACHER] = True
            st.rerun()
        st.error(wrong_passcode_message(teacher_gate().tries_left()))
    except TryLater as wait:
        st.warning(f"Too many wrong passcodes on this server: every try waits. Try again in {wait.seconds} s.")
