"""The class board in the app: posting a run, the ranking with its chart and the most-missed digits, and the
teacher's controls. pages/board.py puts them together, and the projector view draws them large.

Nicknames and names are students' text: tables and charts show them as data, Markdown only through
ui.text.plain, never as HTML.
"""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from digits_core.classroom.board import ANONYMOUS, CUSTOM, MAX_POSTS, BoardError, Entry, Post, Ranking, Row
from digits_core.classroom.database import ClassDatabaseError
from digits_core.classroom.roles import RoleError
from digits_core.models import post_label
from digits_core.preprocess import upscale
from digits_core.presets import PRESETS
from digits_core.runs import Run
from digits_core.store import StoreError
from digits_core.worker import WorkerError

from .classdb import class_board
from .identity import browser_id, is_teacher, locked, nickname
from .lesson import POSTED, note
from .plots import board_scatter
from .state import local, training_worker, use_everywhere
from .text import plain

REFRESH_SECONDS = 2.0  # the projector view redraws this often: a new post shows within the 5 s a class waits
SELECTED = "board_selected"  # the post id chosen in the ranking's table
SHOWN = "board_shown"  # the post ids of the table's rows as last drawn, so a click means the post the student saw
MESSAGE = "board_message"  # (ok, text) of the last action, shown once
PRESET_ORDER = [*PRESETS, CUSTOM]  # each keeps its colour on every board
FAILURES = (BoardError, RoleError, ClassDatabaseError, StoreError, WorkerError)
# The ranking's columns a tablet fits beside each other; the preset, parameters, epochs, training time and time of
# posting show from the table's eye icon (its column menu), and the chart below shows all but the last two.
SHOWN_COLUMNS = ("place", "nickname", "model", "MNIST accuracy", "class accuracy")
PROJECTOR_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="stHeader"] { display: none; }
[data-testid="stMainBlockContainer"] { max-width: none; padding: 1.5rem 3rem; }
[data-testid="stMain"] [data-testid="stMarkdownContainer"] p { font-size: 1.5rem; }
[data-testid="stTable"] table { font-size: 1.5rem; width: 100%; }
[data-testid="stMain"] h1 { font-size: 3.2rem; }
@media (max-width: 640px) {  /* a phone: the place, nickname and accuracies (projector_table's columns 1-2, 7-8) */
  [data-testid="stMainBlockContainer"] { padding: 1rem; }
  [data-testid="stMain"] [data-testid="stMarkdownContainer"] p { font-size: 1rem; }
  [data-testid="stTable"] :is(th, td):nth-child(n+3):nth-child(-n+6) { display: none; }
}
</style>"""


def projector_view() -> bool:
    """Whether the page was opened as /board?view=projector."""
    return st.query_params.get("view") == "projector"


# Posting.

def post_controls(run: Run) -> None:
    """"Post to the class board" for a run of this session: says when posting is closed, and asks which post a new
    one replaces once the student has MAX_POSTS on the board."""
    with st.popover("Post to the class board", icon=":material/leaderboard:", width="stretch"):
        try:
            mine = class_board().posts_of(browser_id())  # first: a database that is down fails here at once
            posting_open = class_board().is_open()
        except ClassDatabaseError as exc:
            st.error(f"The class board cannot be reached: {exc}")
            return
        if not posting_open:
            st.info("Posting is closed: the teacher reopens it when the class may post again.")
            return
        who = nickname()
        st.caption(f"It will show as **{plain(who or ANONYMOUS)}**"
                   + ("." if who else ": pick a nickname in the sidebar first, if you like."))
        replace = None
        if len(mine) >= MAX_POSTS:
            replace = st.selectbox(f"You have {MAX_POSTS} posts on the board, the most a student may: this one "
                                   "replaces", [post.id for post in mine], key=f"replace-{run.id}",
                                   format_func=lambda post_id: _describe(next(p for p in mine if p.id == post_id)))
        if st.button("Post", key=f"post-{run.id}", type="primary"):
            _post(run, replace)


def _post(run: Run, replace: int | None) -> None:
    try:
        with st.spinner("Checking that the model reads digits..."):
            entry = Entry.of_run(run, training_worker().lite(run.model_bytes))
            post = class_board().post(entry, browser_id(), nickname(), replace)
    except FAILURES as exc:
        st.error(f"Not posted: {plain(exc)}")
        return
    note(POSTED)
    st.success(f"Posted as number {post.id}.")
    st.page_link("pages/board.py", label="See the class board", icon=":material/leaderboard:")


def _describe(post: Post) -> str:
    return f"#{post.id} {post.name} ({post.mnist_accuracy:.1%} on MNIST)"


# The ranking.

def load_ranking() -> Ranking | None:
    """The board now; None, with one line saying why, when the class database cannot be reached."""
    try:
        return class_board().ranking()
    except ClassDatabaseError as exc:
        st.error(f"The class board cannot be shown: {exc}")
        return None


def ranking_frame(rows: list[Row]) -> pd.DataFrame:
    """The ranking as a table: a row a post, best first."""
    return pd.DataFrame([{
        "place": row.place, "nickname": row.post.nickname, "model": row.post.name, "preset": row.post.preset,
        "parameters": row.post.params, "epochs": row.post.epochs, "training time (s)": row.post.train_seconds,
        "MNIST accuracy": row.post.mnist_accuracy, "class accuracy": row.class_accuracy,
        "posted at": local(row.post.posted_at).replace(tzinfo=None)} for row in rows],
        columns=["place", "nickname", "model", "preset", "parameters", "epochs", "training time (s)",
                 "MNIST accuracy", "class accuracy", "posted at"])


def ranking_table(ranking: Ranking) -> Post | None:
    """The ranking, one selectable row a post; returns the post chosen (the one the student clicked, even if the
    order has changed since)."""
    st.session_state[SHOWN] = [row.post.id for row in ranking.rows]
    st.dataframe(ranking_frame(ranking.rows), hide_index=True, on_select=_choose, selection_mode="single-row",
                 key="board_table", column_order=SHOWN_COLUMNS, column_config={
                     "place": st.column_config.NumberColumn(pinned=True),
                     "nickname": st.column_config.TextColumn(pinned=True),
                     "parameters": st.column_config.NumberColumn(format="localized"),
                     "training time (s)": st.column_config.NumberColumn(format="%.1f"),
                     "MNIST accuracy": st.column_config.NumberColumn(format="percent"),
                     "class accuracy": st.column_config.NumberColumn(format="percent")})
    chosen = st.session_state.get(SELECTED)
    return next((row.post for row in ranking.rows if row.post.id == chosen), None)


def _choose() -> None:
    rows = st.session_state["board_table"].selection.rows
    shown = st.session_state.get(SHOWN, [])
    st.session_state[SELECTED] = shown[rows[0]] if rows and rows[0] < len(shown) else None


def projector_table(ranking: Ranking, count: int) -> None:
    """The top of the ranking as a plain table whose type the projector view enlarges."""
    frame = ranking_frame(ranking.rows[:count]).drop(columns=["epochs", "posted at"])
    for column in ("MNIST accuracy", "class accuracy"):
        frame[column] = frame[column].map(lambda value: "–" if pd.isna(value) else f"{value:.1%}")
    frame["training time (s)"] = frame["training time (s)"].map(lambda value: "–" if pd.isna(value) else f"{value:.0f}")
    frame["parameters"] = frame["parameters"].map("{:,}".format)
    st.table(frame.set_index("place"))


def ranked_by(ranking: Ranking) -> None:
    """What ranks the board, in words."""
    st.markdown(f"Ranked by {ranking.ranked_by}.")


def lead_line(ranking: Ranking) -> None:
    """Whether the leader's lead could be luck."""
    if ranking.lead:
        st.info(plain(ranking.lead), icon=":material/balance:")
    elif len(ranking.rows) > 1:
        st.caption("Whether the leader's lead could be luck is tested on the class's digits once the board ranks "
                   "by them.")


def scatter(ranking: Ranking, height: int = 420, font_size: int | None = None) -> None:
    """Accuracy (on the class set, or MNIST before there is one) against training time, a marker a post."""
    by_class = any(row.class_accuracy is not None for row in ranking.rows)
    points = pd.DataFrame([{
        "preset": row.post.preset, "who": html.escape(f"{row.post.nickname}: {row.post.name}"),
        "seconds": row.post.train_seconds, "parameters": row.post.params,
        "accuracy": row.class_accuracy if by_class else row.post.mnist_accuracy} for row in ranking.rows],
        columns=["preset", "who", "seconds", "accuracy", "parameters"]).dropna()
    if points.empty:
        st.caption("No post with a training time yet.")
        return
    accuracy = "class accuracy (held-out class digits)" if by_class else "MNIST test accuracy"
    st.plotly_chart(board_scatter(points, PRESET_ORDER, accuracy, height, font_size), width="stretch",
                    key="board_scatter")
    left_out = len(ranking.rows) - len(points)
    if left_out:
        st.caption(f"{left_out} post(s) without a training time (posted from the command line) are not on the chart.")


def missed_digits(ranking: Ranking, count: int, width: int = 84) -> None:
    """The class's held-out digits the most posts read wrong, with how many did."""
    if not len(ranking.missed):
        st.caption("No class digit is read wrong by any post yet." if len(ranking.class_set)
                   else "The class has no held-out digits yet: correct a few readings on Draw.")
        return
    shown = ranking.missed[:count]
    labels, missed_by, total = ranking.class_set.labels[shown], ranking.missed_by[:count], len(ranking.rows)
    st.image([upscale(ranking.class_set.images[i], 3) for i in shown], width=width,
             caption=[f"a {label}: {n} of {total} wrong" for label, n in zip(labels, missed_by)],
             alt=[f"A handwritten {label} from the class, read wrong by {n} of the {total} models"
                  for label, n in zip(labels, missed_by)])


# What one can do with a post.

def post_actions(post: Post | None) -> None:
    """Use the chosen post as the active model; take it down (its student or the teacher); rename it (the teacher)."""
    _show_message()
    if post is None:
        st.caption("Click a row of the table to use that model, or to take your own post down.")
        return
    st.markdown(f"Chosen: **#{post.id} {plain(post.name)}** by {plain(post.nickname)}")
    mine = post.browser_id is not None and post.browser_id == browser_id()
    use, down, name, rename = st.columns([2, 2, 3, 1], vertical_alignment="bottom")
    use.button("Use this model", key="board_use", type="primary", on_click=_use, args=(post,), width="stretch",
               help="Make it the active model of Draw, Evaluate, Compare and Inside")
    down.button("Take down", key="board_take_down", on_click=_take_down, args=(post,), width="stretch",
                disabled=not (mine or is_teacher()), help=None if mine or is_teacher() else
                "Only its student or the teacher can take a post down")
    reason = locked("board")
    new_name = name.text_input("New name", value=post.name, key=f"board_name_{post.id}", max_chars=40,
                               disabled=reason is not None, help=reason)
    rename.button("Rename", key="board_rename", on_click=_rename, args=(post, new_name), disabled=reason is not None,
                  width="stretch")


def _use(post: Post) -> None:
    use_everywhere(post_label(post))
    st.session_state[MESSAGE] = True, (f"#{post.id} is now the active model: Draw, Evaluate, Compare and Inside use "
                                       "it (see the sidebar).")


def _take_down(post: Post) -> None:
    _act(lambda: class_board().take_down(post.id, browser_id(), is_teacher()), f"#{post.id} was taken down.")


def _rename(post: Post, name: str) -> None:
    _act(lambda: class_board().rename(post.id, name, is_teacher()), f"#{post.id} was renamed.")


def _act(action, done: str) -> None:
    try:
        action()
        st.session_state[MESSAGE] = True, done
        st.session_state.pop(SELECTED, None)
    except FAILURES as exc:
        st.session_state[MESSAGE] = False, plain(exc)


def _show_message() -> None:
    if MESSAGE in st.session_state:
        ok, text = st.session_state.pop(MESSAGE)
        (st.success if ok else st.error)(text)


def posting_switch(ranking: Ranking) -> None:
    """The teacher's switch for posting (greyed out for students, with the reason)."""
    reason = locked("board")
    wanted = st.toggle("Posting open", value=ranking.posting_open, disabled=reason is not None,
                       help=reason or "Close it when the class should stop posting, e.g. before the results")
    if wanted != ranking.posting_open:
        try:
            class_board().set_open(wanted, is_teacher())
        except FAILURES as exc:
            st.error(plain(exc))
            return
        st.rerun()
    if not ranking.posting_open:
        st.caption("Posting is closed: nobody can post until the teacher opens it again.")


def class_digits_line(ranking: Ranking) -> str:
    """How many held-out class digits the board scores on."""
    count = len(ranking.class_set)
    return (f"{count:,} held-out class digits" if count else "no held-out class digits yet") + \
        f" · {len(ranking.rows)} post(s)" + ("" if ranking.posting_open else " · posting closed")

