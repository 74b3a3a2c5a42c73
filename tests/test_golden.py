"""The golden-file helper both platforms' renderer tests use: it fails on a difference or a missing file,
and UPDATE_GOLDEN=1 rewrites only what changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.models import Platform
from tests.golden import assert_matches_file, golden_path

CARD = {"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": "CS-1"}]}


@pytest.fixture(autouse=True)
def not_refreshing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UPDATE_GOLDEN", raising=False)


def test_each_platform_keeps_its_golden_files_beside_its_payloads() -> None:
    assert golden_path(Platform.SLACK, "ping").parts[-4:] == ("payloads", "slack", "golden", "ping.json")
    assert golden_path(Platform.TEAMS, "ping").parts[-4:] == ("payloads", "teams", "golden", "ping.json")
    assert golden_path(Platform.SLACK, "ping").exists()
    assert golden_path(Platform.TEAMS, "ping").exists()


def test_a_different_rendering_fails_and_says_how_to_refresh(tmp_path: Path) -> None:
    path = tmp_path / "card.json"
    path.write_text('{"type": "AdaptiveCard", "body": []}', encoding="utf-8")
    with pytest.raises(AssertionError, match="UPDATE_GOLDEN=1"):
        assert_matches_file(path, CARD)


def test_a_missing_file_fails_without_writing_it(tmp_path: Path) -> None:
    path = tmp_path / "card.json"
    with pytest.raises(pytest.fail.Exception, match="UPDATE_GOLDEN=1"):
        assert_matches_file(path, CARD)
    assert not path.exists()


def test_key_order_and_layout_do_not_matter(tmp_path: Path) -> None:
    path = tmp_path / "card.json"
    path.write_text(
        '{"body": [{"text": "CS-1", "type": "TextBlock"}],\n"type": "AdaptiveCard"}', encoding="utf-8"
    )
    assert_matches_file(path, CARD)


def test_update_golden_rewrites_only_what_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UPDATE_GOLDEN", "1")
    same, changed, missing = tmp_path / "same.json", tmp_path / "changed.json", tmp_path / "new" / "card.json"
    same_text = '{"body": [{"text": "CS-1", "type": "TextBlock"}], "type": "AdaptiveCard"}'
    same.write_text(same_text, encoding="utf-8")
    changed.write_text('{"type": "AdaptiveCard", "body": []}', encoding="utf-8")

    for path in (same, changed, missing):
        assert_matches_file(path, CARD)

    assert same.read_text(encoding="utf-8") == same_text  # untouched: no churn in the diff
    assert changed.read_text(encoding="utf-8") == missing.read_text(encoding="utf-8")
    assert '"text": "CS-1"' in changed.read_text(encoding="utf-8")
