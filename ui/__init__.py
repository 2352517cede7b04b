"""Streamlit helpers shared by the pages: state, cached loaders, background jobs, plots.

Importing this package never imports TensorFlow: Home and Explore must paint at once.
"""
