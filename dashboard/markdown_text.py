"""Text that visitors typed (a learner's name), shown in Markdown exactly as typed."""

MARKDOWN_MARKS = frozenset("\\`*_{}[]()#+-.!|~<>&$:")
"""Every character Markdown (or Streamlit's extensions: `$` for LaTeX, `:` for icons) may read as markup."""


def markdown_literal(text: str) -> str:
    """`text` backslash-escaped so that no tag is rendered, no mark turns it bold and no `:icon:` is drawn."""
    return "".join(f"\\{character}" if character in MARKDOWN_MARKS else character for character in text)
