"""A user's override file: how to read organ names that the divisions list cannot settle.

TOML, one `[[organ]]` table per organ (see docs/organs.md and organ-overrides.example.toml):

    [[organ]]
    name = "长沙经济技术开发区管理委员会"
    aliases = ["长沙经开区管委会"]
    region = "430121"                 # GB/T 2260 code, or a division's name such as "湖南省长沙市长沙县"
    kind = "development_zone"         # government | department | township | development_zone | other
    canonical = "长沙经济技术开发区管理委员会"
    parent = "长沙县人民政府"

Only `name` is required. Names are compared after folding (Traditional → Simplified, full-width →
ASCII, spaces removed), so `嶽陽縣人民政府` finds an entry written `岳阳县人民政府`.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from gongkai.normalize import fold, squeeze
from gongkai.organs.kind import OrganKind


def name_key(name: str) -> str:
    """The form organ names are compared in: folded, without spaces."""
    return squeeze(fold(name))


class OrganOverride(BaseModel):
    """What the user says about one organ; fields left out are worked out as usual."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    aliases: tuple[str, ...] = ()
    region: str | None = None
    kind: OrganKind | None = None
    canonical: str | None = None
    parent: str | None = None
    parent_code: str | None = None

    @field_validator("kind", mode="before")
    @classmethod
    def _known_kind(cls, v: Any) -> Any:
        if v is not None and v not in get_args(OrganKind):
            raise ValueError(f"kind must be one of {', '.join(get_args(OrganKind))}, not {v!r}")
        return v


class Overrides(BaseModel):
    """All entries of an override file, looked up by folded name or alias."""

    model_config = ConfigDict(frozen=True)

    organs: tuple[OrganOverride, ...] = Field(default=())
    source: str | None = None

    _index: dict[str, OrganOverride] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        for o in self.organs:
            for n in (o.name, *o.aliases):
                self._index.setdefault(name_key(n), o)

    def lookup(self, name: str) -> OrganOverride | None:
        """The entry for `name` (or one of its aliases), compared folded."""
        return self._index.get(name_key(name))

    @classmethod
    def from_toml(cls, text: str, *, source: str | None = None) -> Overrides:
        data = tomllib.loads(text)
        unknown = set(data) - {"organ"}
        if unknown:
            raise ValueError(f"unknown table(s) in override file: {', '.join(sorted(unknown))}; use [[organ]]")
        return cls(organs=tuple(OrganOverride(**o) for o in data.get("organ", [])), source=source)


def load_overrides(path: str | Path) -> Overrides:
    """Read an override file (TOML with `[[organ]]` tables)."""
    p = Path(path)
    return Overrides.from_toml(p.read_text("utf-8"), source=str(p))
