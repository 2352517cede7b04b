"""Lesson: a guided path of about 45 minutes through the app; each step ticks off when the app sees it done."""

import streamlit as st

from ui.glossary import explain
from ui.lesson import NOTES, STEPS, Step, progress
from ui.nav import leave_legacy_navigation

leave_legacy_navigation()


def show_step(number: int, step: Step, done: bool, next_up: bool) -> None:
    """A step: whether it is done, what to do, the question, what ticks it off, and its buttons."""
    with st.container(border=True):
        if done:
            status = ":green[:material/check_circle: Done]"
        else:
            status = ":blue[:material/arrow_forward: Next]" if next_up else ":material/radio_button_unchecked: To do"
        st.markdown(f"#### {number} · {step.title}\n{status} · about {step.minutes} min")
        st.markdown(step.do)
        st.markdown(f"**Think about it:** {step.question}")
        st.caption(f"Ticks off when {step.done_when}")
        if step.terms:
            explain(*step.terms)
        with st.container(horizontal=True):
            for link in step.links:
                kind = "primary" if next_up else "secondary"
                if st.button(link.label, key=f"lesson-{number}-{link.label}", type=kind):
                    link.setup()
                    st.switch_page(link.script)


st.title("The lesson: teach a computer to read handwriting")
st.markdown("Seven steps, about 45 minutes. Each step says what to do and asks one question to think about; its "
            "button opens the page it needs, set up for it. A step ticks itself off when the app sees it done. "
            "Come back here after each step.")
done = progress(st.session_state)
st.progress(sum(done) / len(STEPS), text=f"{sum(done)} of {len(STEPS)} steps done")
next_up = next((number for number, ok in enumerate(done, start=1) if not ok), None)
for number, (step, ok) in enumerate(zip(STEPS, done), start=1):
    show_step(number, step, ok, number == next_up)
if next_up is None:
    st.success("Every step is done. Well done!", icon=":material/celebration:")

with st.expander("For the teacher: timing, what to say, the answers and what usually goes wrong"):
    st.markdown(NOTES.read_text(encoding="utf-8"))
