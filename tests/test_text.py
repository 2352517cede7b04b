"""Students' text in Markdown: shown as typed, whatever signs it holds."""

from ui.text import plain


def test_names_read_as_before_and_signs_are_escaped():
    assert plain("cnn-fast-1 (this session)") == "cnn-fast-1 (this session)"
    assert plain("**Bo** :red[x] <b>$x$</b>") == r"\*\*Bo\*\* \:red\[x\] \<b\>\$x\$\</b\>"
    assert plain("- not a list") == r"\- not a list" and plain("1. nor this") == r"1\. nor this"
    assert plain("two\nlines") == "two lines"
