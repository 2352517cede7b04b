"""The class: its database (samples, runs, model owners, board posts), the teacher's role, and the board.

Free of Streamlit and TensorFlow, like the rest of digits_core: the pages and the command line share it.
"""
