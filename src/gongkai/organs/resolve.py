"""Organ name → canonical unit: kind, administrative region (GB/T 2260), level and parent unit.

Organ names begin with the divisions they belong to (`湖南省长沙市人民政府办公室`, `长沙县人民政府`,
`北京市朝阳区财政局`): the longest division names at the start of the name, each nested in the one
before, give the region; what follows gives the kind (`organ_kind`). A name that the divisions
list cannot settle (a district name used in several provinces, a street office named without its
county) is settled by the hints (other text of the report: page title, site organ, province named
in the text) or by the user's override file, else reported as ambiguous with its candidates.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict

from gongkai.formats import data_text
from gongkai.organs.kind import OrganKind, organ_kind
from gongkai.organs.overrides import OrganOverride, Overrides, name_key
from gongkai.organs.regions import Division, Divisions, ancestors, divisions, within

UnitLevel = Literal["province", "city", "county", "township"]

_TRAILING_NOTE = re.compile(r"\([^()]*\)$")


@cache
def _leading() -> tuple[str, ...]:
    """Words before the division name that do not change where the organ sits (organs.toml)."""
    text = data_text("organs")
    found = tomllib.loads(text).get("regions", {}).get("leading_prefixes", [])
    return tuple(sorted(found, key=len, reverse=True))


@cache
def _site_prefix() -> re.Pattern[str]:
    """A website's name before the organ: anything up to a site word (organs.toml `[sites]`), then separators."""
    sites = tomllib.loads(data_text("organs")).get("sites", {})
    words = sorted(sites.get("site_words", []), key=len, reverse=True)
    seps = re.escape(sites.get("separators", "-_"))
    if not words:
        return re.compile("(?!)")
    return re.compile(rf"^.{{0,30}}?(?:{'|'.join(map(re.escape, words))})[{seps}]+(?=\S)")


def without_site(name: str) -> str:
    """`沙门市人民政府门户网站-沙门市人民政府` → `沙门市人民政府`: the site's name is not part of the organ's.
    A name that is nothing but a site name is left as it is."""
    rest = _site_prefix().sub("", name.strip(), count=1)
    return rest if rest and rest != name.strip() else name


class ResolvedOrgan(BaseModel):
    """Where a report's organ sits. `name` is as given; the rest is worked out."""

    model_config = ConfigDict(frozen=True)

    name: str
    canonical: str
    kind: OrganKind
    region_code: str | None  # the division the unit belongs to (its own for a government)
    province: str | None
    city: str | None  # a municipality (北京市) is the city of its districts
    county: str | None
    level: UnitLevel | None
    parent: str | None  # canonical name of the unit above: a department's government, a county's city
    parent_code: str | None
    ambiguous: bool = False
    candidates: list[str] = []  # division codes the name may mean, when ambiguous


def official_name(d: Division, ds: Divisions) -> str:
    """The name a unit of `d` is officially called by: a city district carries its city (长沙市天心区)."""
    if d.level == "county" and d.name.endswith("区") and not d.name.endswith(("林区", "特区")) and d.city:
        city = ds.get(d.city)
        if city is not None and city.code != d.code:
            return city.name + d.name
    return d.name


def government_name(d: Division, ds: Divisions) -> str:
    """The government of `d`: 长沙县人民政府; 地区 and 盟 have an administrative office (行政公署)."""
    suffix = "行政公署" if d.level == "city" and d.name.endswith(("地区", "盟")) else "人民政府"
    return official_name(d, ds) + suffix


def _collapse(found: list[Division], ds: Divisions) -> list[Division]:
    """One of `found` that holds all the others (长沙 → 长沙市 rather than 长沙县), else all of them."""
    for c in found:
        if all(within(o.code, c.code, ds.year) for o in found):
            return [c]
    return found


def _chain(text: str, ds: Divisions, *, county_shorts: bool) -> tuple[list[Division], int, bool]:
    """The nested divisions named at the start of `text`: (candidates for the last, length, used a short name).

    Full names are tried first; short names (湖南, 长沙) only where no full name starts. County
    short names are ambiguous with ordinary words (公安县 ~ 公安局) and only used when `county_shorts`.
    """
    pos, current, used_short = 0, None, False
    while pos < len(text):
        n, found = ds.match_at(text, pos)
        short = False
        if not n:
            n, found = ds.match_at(text, pos, shorts=True)
            if not county_shorts:
                found = [d for d in found if d.level != "county"]
            short = True
        if not n or not found:
            break
        if current is not None:
            found = [d for d in found if any(within(d.code, c.code, ds.year) for c in current)]
            if not found:
                break
        if short:
            found = _collapse(found, ds)
            used_short = True
        current, pos = found, pos + n
    return current or [], pos, used_short


def _hint_mentions(hints: Sequence[str], ds: Divisions) -> list[list[Division]]:
    """Divisions named in the hints, one group per name (a group is ambiguous when it has several)."""
    groups: list[list[Division]] = []
    for hint in hints:
        text = name_key(hint)
        pos = 0
        while pos < len(text):
            n, found = ds.match_at(text, pos)
            if not n:
                n, found = ds.match_at(text, pos, shorts=True)
                found = [d for d in found if d.level != "county"]
            if n and found:
                groups.append(found)
                pos += n
            else:
                pos += 1
    # A group that is ambiguous keeps the divisions that another group supports (鼓楼区 + 南京市).
    out: list[list[Division]] = []
    for i, g in enumerate(groups):
        others = [d for j, h in enumerate(groups) if j != i for d in h]
        supported = [d for d in g if any(within(d.code, o.code, ds.year) for o in others)]
        out.append(supported or g)
    return out


def _by_hints(cands: list[Division], hints: Sequence[str], ds: Divisions) -> list[Division]:
    """The candidates best supported by the hints (all of them when the hints say nothing)."""
    mentions = [d for g in _hint_mentions(hints, ds) for d in g]
    if not mentions or len(cands) < 2:
        return cands
    scores = [sum(within(c.code, m.code, ds.year) for m in mentions) for c in cands]
    best = max(scores)
    return cands if best == 0 else [c for c, s in zip(cands, scores, strict=True) if s == best]


def _region_of_hints(hints: Sequence[str], ds: Divisions) -> list[Division]:
    """The most specific divisions the hints name (those that hold no other one named)."""
    mentioned: dict[str, Division] = {}
    for g in _hint_mentions(hints, ds):
        for d in g:
            mentioned[d.code] = d
    return [
        d
        for d in mentioned.values()
        if not any(o.code != d.code and within(o.code, d.code, ds.year) for o in mentioned.values())
    ]


def _common(cands: list[Division], ds: Divisions) -> Division | None:
    """The smallest division holding every candidate, if any."""
    if not cands:
        return None
    chains = [[c, *ancestors(c.code, ds.year)] for c in cands]
    for d in chains[0]:
        if all(any(x.code == d.code for x in chain) for chain in chains[1:]):
            return d
    return None


def _override_region(ov: OrganOverride, ds: Divisions) -> Division:
    assert ov.region is not None
    code = ov.region.strip()
    if code.isdigit():
        d = ds.get(code)
        if d is None:
            raise ValueError(f"override for {ov.name}: no division with code {code} in the {ds.year} list")
        return d
    cands, n, _ = _chain(name_key(code), ds, county_shorts=True)
    if len(cands) != 1 or n != len(name_key(code)):
        raise ValueError(f"override for {ov.name}: region {code!r} does not name exactly one division")
    return cands[0]


def resolve_organ(
    name: str,
    *,
    hints: Sequence[str] = (),
    overrides: Overrides | None = None,
    year: int | None = None,
) -> ResolvedOrgan:
    """Resolve a report's organ name to its unit: kind, region, level and parent.

    `hints` are other texts of the report (page title, site organ, text naming the province) used
    only to choose among candidates or to place a name that names no division. `year` picks that
    year's divisions list (the latest when None). `overrides` settle names for good.
    """
    ds = divisions(year)
    ov = overrides.lookup(name) if overrides is not None else None
    given = name
    if ov is None and (bare := without_site(name_key(name))) != name_key(name):
        name = bare
        ov = overrides.lookup(name) if overrides is not None else None
    core = name_key(ov.name if ov is not None else name)  # an alias stands for the entry's name
    while (stripped := _TRAILING_NOTE.sub("", core)) not in ("", core):
        core = stripped
    kind: OrganKind = ov.kind if ov is not None and ov.kind else organ_kind(core)

    lead = next((p for p in _leading() if core.startswith(p)), "")
    body = core[len(lead) :]
    cands, consumed, used_short = _chain(body, ds, county_shorts=kind == "development_zone")
    named = list(cands)
    from_name = bool(cands)
    if not cands:
        cands = _region_of_hints(hints, ds)
    elif len(cands) > 1:
        cands = _by_hints(cands, hints, ds)

    region: Division | None = None
    ambiguous = False
    candidates: list[str] = []
    if ov is not None and ov.region:
        region = _override_region(ov, ds)
    elif len(cands) == 1:
        region = cands[0]
    elif cands:
        ambiguous = True
        candidates = sorted(c.code for c in cands)
        region = _common(cands, ds)

    # Canonical name: the official prefix of the region, then the rest of the name as given.
    remainder = body[consumed:] if from_name else body
    if ov is not None and ov.canonical:
        canonical = name_key(ov.canonical)
    elif (
        region is not None
        and not used_short
        and not ambiguous
        # a name placed by the hints alone gets their prefix only where that cannot mislead
        and (
            (region in named) if from_name else (region.level == "county" or remainder.startswith(("政府", "人民政府")))
        )
    ):
        if kind == "government" and remainder in ("", "政府", "人民政府"):
            canonical = lead + government_name(region, ds)
        else:
            if remainder.startswith("政府"):
                remainder = "人民" + remainder
            canonical = lead + official_name(region, ds) + remainder
    elif kind == "government" and not remainder and not lead and cands:
        canonical = core + "人民政府"
    else:
        canonical = core

    # Parent unit: a government's is the government above; anything else's is its own government.
    parent: str | None = None
    parent_code: str | None = None
    if region is not None and not ambiguous and not lead:
        if kind == "government":
            above = ds.get(region.parent) if region.parent else None
            if above is not None:
                parent, parent_code = government_name(above, ds), above.code
        else:
            parent, parent_code = government_name(region, ds), region.code
    if ov is not None and ov.parent:
        parent = name_key(ov.parent)
        parent_code = ov.parent_code or parent_code
    elif ov is not None and ov.parent_code:
        parent_code = ov.parent_code

    level: UnitLevel | None
    if kind == "township":
        level = "township"
    elif region is not None and not ambiguous:
        level = region.level
    else:
        level = None

    names = _names(region, ds)
    return ResolvedOrgan(
        name=given,
        canonical=canonical,
        kind=kind,
        region_code=region.code if region is not None else None,
        province=names[0],
        city=names[1],
        county=names[2],
        level=level,
        parent=parent,
        parent_code=parent_code,
        ambiguous=ambiguous,
        candidates=candidates,
    )


def _names(region: Division | None, ds: Divisions) -> tuple[str | None, str | None, str | None]:
    """(province, city, county) names of a region; a municipality is the city of its districts."""
    if region is None:
        return None, None, None
    province = ds.get(region.province)
    city = ds.get(region.city) if region.city and region.level != "province" else None
    county = region if region.level == "county" else None
    return (
        province.name if province is not None else None,
        city.name if city is not None else None,
        county.name if county is not None else None,
    )
