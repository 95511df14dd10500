"""Safe Markdown: formatting works, HTML and dangerous links do not."""

from __future__ import annotations

import pytest

from palava.core.markdown import MAX_MARKDOWN_CHARS, render_markdown


def test_formatting_renders() -> None:
    html = render_markdown("# Minutes\n\n- **water** point\n- [report](https://example.org/r)")
    assert "<h1>Minutes</h1>" in html
    assert "<strong>water</strong>" in html
    assert 'href="https://example.org/r"' in html
    assert 'rel="nofollow noopener noreferrer"' in html


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "<iframe src='https://evil.example'></iframe>",
        '<a href="javascript:alert(1)">x</a>',
    ],
)
def test_raw_html_is_shown_as_text(hostile: str) -> None:
    html = render_markdown(hostile)
    assert "<script" not in html
    assert "<img" not in html
    assert "<iframe" not in html
    assert "<a href" not in html
    assert "&lt;" in html


@pytest.mark.parametrize(
    "link",
    ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "vbscript:msgbox(1)", "data:text/html,<b>x</b>"],
)
def test_dangerous_link_targets_are_not_links(link: str) -> None:
    assert "href=" not in render_markdown(f"[click]({link})")


def test_images_become_links_with_escaped_alt_text() -> None:
    html = render_markdown('![<b>chart</b>](https://example.org/c.png "t")')
    assert "<img" not in html
    assert "<b>" not in html
    assert 'href="https://example.org/c.png"' in html


def test_empty_and_huge_input() -> None:
    assert render_markdown("") == ""
    assert render_markdown(None) == ""
    huge = render_markdown("a" * (MAX_MARKDOWN_CHARS * 3))
    assert len(huge) < MAX_MARKDOWN_CHARS + 100
