"""What the user interfaces call the store's codes: organ kinds and region levels (from
`formats/data/organs.toml`, beside the rules that assign them), report formats and statistics groupings.

One vocabulary for the command line, the web pages and the statistics' own descriptions. Read without
importing the formats package (pydantic): the command line's start-up uses it.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib.resources import files


@cache
def _organ_labels() -> dict[str, dict[str, str]]:
    text = (files("gongkai") / "formats" / "data" / "organs.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)["labels"]


def kind_words() -> dict[str, str]:
    """Organ kinds (`government`, `department`, …) and their Chinese names."""
    return dict(_organ_labels()["kinds"])


def level_words() -> dict[str, str]:
    """Region levels (`province`, `city`, `county`) and their Chinese names."""
    return dict(_organ_labels()["levels"])


FORMAT_WORDS = {"2021": "2021 年格式", "2019": "2019 年格式", "legacy": "2019 年以前的旧格式"}
GROUPING_WORDS = {"province": "按省", "city": "按市", "county": "按县（区、市）", "organ": "按机关",
                  "kind": "按机关类型"}
