"""The client's README stays a page: 30 lines at most, with the one-line switch in it."""

from pathlib import Path

README = Path(__file__).resolve().parents[2] / "clients" / "python" / "README.md"


def test_the_readme_is_30_lines_or_fewer_and_shows_the_switch():
    text = README.read_text()

    assert len(text.splitlines()) <= 30
    assert "from callbot_client import DatabaseService" in text
