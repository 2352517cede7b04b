"""Board: every student's posted model, ranked on the class's own handwriting and on MNIST; live on the projector."""

import streamlit as st

from ui.board import (PROJECTOR_CSS, REFRESH_SECONDS, class_digits_line, lead_line, load_ranking, missed_digits,
                      post_actions, posting_switch, projector_table, projector_view, ranked_by, ranking_table, scatter)
from ui.identity import role_caption
from ui.nav import leave_legacy_navigation

leave_legacy_navigation()
PROJECTOR_ROWS = 10


@st.fragment(run_every=REFRESH_SECONDS)
def projector() -> None:
    """The board for the whole room: the top of the ranking, the lead, the chart, the digits missed most."""
    ranking = load_ranking()
    if ranking is None:
        return
    st.markdown(f"**{class_digits_line(ranking)}**")
    if not ranking.rows:
        st.info("No posts yet: train a model on Train and post it from the table of runs.")
        return
    ranked_by(ranking)
    projector_table(ranking, PROJECTOR_ROWS)
    lead_line(ranking)
    chart, missed = st.columns([3, 2], gap="large")
    with chart:
        scatter(ranking, height=460, font_size=18)
    with missed:
        st.markdown("**The class's digits the models miss most**")
        missed_digits(ranking, 8, width=110)


def board() -> None:
    """The board for a student or the teacher: the whole ranking, what to do with a post, the chart and digits."""
    ranking = load_ranking()
    if ranking is None:
        return
    st.caption(class_digits_line(ranking) + ". On the projector: open this page with **?view=projector** at the end "
               "of its address.")
    role_caption()
    posting_switch(ranking)
    if not ranking.rows:
        st.info("No posts yet: train a model on Train and post it from the table of runs.")
        return
    ranked_by(ranking)
    chosen = ranking_table(ranking)
    lead_line(ranking)
    post_actions(chosen)
    st.subheader("Accuracy against training time")
    st.caption("A marker a post, its size the model's parameters, its colour and shape the preset.")
    scatter(ranking)
    st.subheader("The class's digits the models miss most")
    missed_digits(ranking, 12)


st.title("The class board")
if projector_view():
    st.html(PROJECTOR_CSS)
    projector()
else:
    board()
