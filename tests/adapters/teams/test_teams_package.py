"""The Teams app package: manifest valid against the vendored official schema (v1.25), icons, zip, CLI."""

from __future__ import annotations

import argparse
import json
import struct
import zipfile
import zlib
from pathlib import Path

import jsonschema
import pytest

from handlers.teams.package import (
    ASSETS,
    MANIFEST_VERSION,
    build,
    color_icon,
    manifest,
    outline_icon,
    register,
)

# From the MIT-licensed npm package @microsoft/app-manifest 1.1.2 (build/json-schemas/teams/v1.25/),
# the same file Microsoft serves at developer.microsoft.com/json-schemas/teams/v1.25/MicrosoftTeams.schema.json.
SCHEMA = Path(__file__).resolve().parents[2] / "payloads" / "teams" / "MicrosoftTeams.v1.25.schema.json"
APP_ID = "5f0e0c8e-1111-2222-3333-444455556666"


def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    # The schema says draft-04 but uses `const`; Draft 7 checks both that and every draft-04 keyword used.
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def png_size_and_pixels(data: bytes) -> tuple[int, int, bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, depth, color_type = struct.unpack(">IIBB", data[16:26])
    assert (depth, color_type) == (8, 6)  # 8-bit RGBA
    idat = data.index(b"IDAT")
    length = struct.unpack(">I", data[idat - 4 : idat])[0]
    raw = zlib.decompress(data[idat + 4 : idat + 4 + length])
    return width, height, raw


def test_manifest_validates_against_the_official_schema() -> None:
    document = manifest(
        app_id=APP_ID, name="Support Coordinator", developer="Acme", website="https://acme.example"
    )

    errors = sorted(validator().iter_errors(document), key=str)

    assert errors == []
    assert document["manifestVersion"] == MANIFEST_VERSION


def test_the_schema_check_catches_a_broken_manifest() -> None:
    document = manifest(app_id="not-a-guid", name="x", developer="Acme", website="ftp://acme")
    document["bots"][0]["scopes"] = ["everywhere"]

    messages = [e.message for e in validator().iter_errors(document)]

    assert len(messages) >= 3


def test_manifest_has_all_scopes_and_the_command_list() -> None:
    bot = manifest(app_id=APP_ID, name="n", developer="d", website="https://x.example")["bots"][0]

    assert sorted(bot["scopes"]) == ["groupChat", "personal", "team"]
    (commands,) = bot["commandLists"]
    assert [c["title"] for c in commands["commands"]] == ["escalate", "cases", "oncall", "help"]


def test_manifest_asks_for_channel_messages_without_a_mention() -> None:
    document = manifest(app_id=APP_ID, name="n", developer="d", website="https://x.example")

    rsc = document["authorization"]["permissions"]["resourceSpecific"]
    assert rsc == [{"name": "ChannelMessage.Read.Group", "type": "Application"}]
    assert document["webApplicationInfo"]["id"] == APP_ID  # RSC is granted to this Entra app
    assert document["webApplicationInfo"]["resource"]
    broken = {
        **document,
        "authorization": {"permissions": {"resourceSpecific": [{"name": "x", "type": "Sometimes"}]}},
    }
    assert [e.message for e in validator().iter_errors(broken)] != []


def test_icons_have_the_sizes_teams_requires() -> None:
    width, height, _ = png_size_and_pixels(color_icon())
    assert (width, height) == (192, 192)
    width, height, raw = png_size_and_pixels(outline_icon())
    assert (width, height) == (32, 32)
    pixels = [raw[row * (32 * 4 + 1) + 1 :][: 32 * 4] for row in range(32)]
    colours = {tuple(row[i : i + 4]) for row in pixels for i in range(0, 128, 4)}
    assert colours == {(255, 255, 255, 255), (0, 0, 0, 0)}  # white on transparent only


def test_committed_assets_are_the_drawn_icons() -> None:
    assert (ASSETS / "color.png").read_bytes() == color_icon()
    assert (ASSETS / "outline.png").read_bytes() == outline_icon()


def test_cli_writes_the_zipped_package(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"), app_id=lambda: APP_ID)
    args = parser.parse_args(["teams-package", "--out", str(tmp_path / "pkg")])

    assert args.func(args) == 0

    with zipfile.ZipFile(tmp_path / "pkg" / "teams-app.zip") as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        document = json.loads(archive.read("manifest.json"))
    assert document["bots"][0]["botId"] == APP_ID
    assert list(validator().iter_errors(document)) == []
    assert "teams-app.zip" in capsys.readouterr().out


def test_build_returns_the_zip_beside_the_files(tmp_path: Path) -> None:
    package = build(tmp_path, app_id=APP_ID)

    assert package == tmp_path / "teams-app.zip"
    assert (tmp_path / "manifest.json").exists()
