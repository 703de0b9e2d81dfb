"""Cells printed without separators (`行政许可2629`): split a run of figures only where the format's identities
leave exactly one possibility.

Some crawlers flatten every table row into one run of characters, so `1590000024` may be 15|9|0|0|0|0|24 or
1|5|9|0|0|0|0|… . A cell is a non-negative integer printed without leading zeros (`0` alone is a cell, `05` is
not; a money cell may carry a decimal part, a signed count a sign), so a run has finitely many splits, and the
identities of the format (row totals, the column sums and the balance of table 3, the totals of table 4) remove
most of them. A run is split only when exactly one split is consistent with them; with none or several it stays
a stray: a figure is read from the source or absent, never guessed.

Pure: digits in, printed pieces out. The table reader turns the pieces into cells (`values.make_cell`, which
knows units) and marks their provenance as split by the identities.

How: each run is first split on its own, a depth-first search over the cells pruned by the identities that
lie inside the run (a row's total) and by how many characters the remaining cells need; then the identities
that link runs (table 3's columns) remove candidates by propagation (each candidate must be completable by the
others' candidates, iterated to a fixed point), and a bounded search confirms that a run's surviving split is
the only one any complete solution uses. Every bound that is hit makes the run absent, never a guess.
"""

from __future__ import annotations

import unicodedata
from collections import deque
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from gongkai.formats import TableDef, get_format, match_rows

__all__ = ["Split", "run_key", "split_table"]

Num = int | Decimal
CellKey = tuple[str, str]  # (row, column)
Term = tuple[int, str, str]  # (coefficient ±1, row, column)

NODE_BUDGET = 10_000
"""Search steps spent on one run before it is given up (absent). Synthetic tables with 6-digit cells take at most
3,600 on a run and 7,300 on a whole table 3; random digits of 60 characters would take millions."""
TABLE_BUDGET = 30_000
"""Search steps spent on all the runs of one table: a page of digit garbage costs tens of milliseconds at most."""
MAX_CANDIDATES = 4096
"""Splits of one run kept for the identities that link runs; a run with more is left absent."""
MAX_SUMSET = 20_000
"""Largest set of partial sums propagation builds; beyond it the identity is not used to prune (still sound)."""
SEARCH_BUDGET = 2_000
"""Search steps spent on the whole table to confirm uniqueness across runs."""

MAX_DIGITS = 12
"""Digits of a cell's integer part (and of a money cell's decimals): no table of the format counts a trillion."""

_ALLOWED = frozenset("0123456789.+-")


@dataclass(frozen=True, slots=True)
class Split:
    """The one split of a row's run.

    `cells` is the text of each cell as printed, one per column of the row in the format's order (feed each to
    `make_cell`). `by_identities` is True when the characters alone allowed other splits, i.e. the identities
    chose this one; False when there was only one way to cut the run at all (`000` into three cells).
    """

    cells: tuple[str, ...]
    by_identities: bool


def run_key(*rows: str) -> str:
    """The `runs` key of one run that spans several rows (table 4 printed as one line of 15 figures)."""
    return "+".join(rows)


class _Abort(Exception):
    """A budget ran out: the run (or the table's joint search) is left undecided."""


@cache
def _equations(format_id: str, table_key: str) -> tuple[tuple[bool, tuple[Term, ...]], ...]:
    """Every identity of the table expanded to cells, sum(coef * cell) = 0, each with whether it holds inside a
    row (a row's total) rather than across rows."""
    fmt = get_format(format_id)
    table = fmt.table(table_key)
    if table is None:
        return ()
    rows = [r.key for r in table.rows]
    out: list[tuple[bool, tuple[Term, ...]]] = []
    for ident in fmt.identities:
        if ident.table != table_key:
            continue
        if ident.over == "columns":
            left, right = match_rows(ident.left, rows), match_rows(ident.right, rows)
            involved = [table.row(k) for k in left + right]
            for c in table.columns:
                if all(c in table.row_columns(r) for r in involved):
                    out.append((False, tuple((1, r, c.key) for r in left) + tuple((-1, r, c.key) for r in right)))
        elif ident.over == "rows":
            for r in table.rows:
                have = {c.key for c in table.row_columns(r)}
                if all(c in have for c in (*ident.left, *ident.right)):
                    out.append((True, tuple((1, r.key, c) for c in ident.left)
                                + tuple((-1, r.key, c) for c in ident.right)))
    return tuple(out)


def _tokenize(text: str) -> tuple[str, frozenset[int]] | None:
    """The run without its spaces, and the places where a space stood: a cell never spans a space."""
    chunks = unicodedata.normalize("NFKC", text).split()
    s = "".join(chunks)
    if not s or not set(s) <= _ALLOWED:
        return None
    cuts, pos = set(), 0
    for chunk in chunks[:-1]:
        pos += len(chunk)
        cuts.add(pos)
    return s, frozenset(cuts)


def _pieces_from(s: str, cuts: frozenset[int], i: int, kind: str) -> list[tuple[int, Num]]:
    """(end, value) of every cell of `kind` that can start at `i`: no leading zero, no space inside."""
    n = len(s)
    j = i
    if kind == "signed_count" and s[i] in "+-":
        j = i + 1
        if j in cuts:
            return []
    if j >= n or not s[j].isdigit():
        return []
    if s[j] == "0":
        if j > i:
            return []  # `-0`
        int_ends: range = range(j + 1, j + 2)
    else:
        k = j + 1
        while k < n and s[k].isdigit() and k not in cuts and k - j < MAX_DIGITS:
            k += 1
        int_ends = range(j + 1, k + 1)
    out: list[tuple[int, Num]] = []
    for e in int_ends:
        out.append((e, int(s[i:e])))
        if kind == "money" and e + 1 < n and s[e] == "." and s[e + 1].isdigit() and e not in cuts \
                and e + 1 not in cuts:
            k = e + 2
            while k < n and s[k].isdigit() and k not in cuts and k - e <= MAX_DIGITS:
                k += 1
            out.extend((f, Decimal(s[i:f])) for f in range(e + 2, k + 1))
    return out


@dataclass(slots=True)
class _Run:
    key: str
    cells: list[CellKey]
    kinds: list[str]
    text: str
    cuts: frozenset[int]
    candidates: list[tuple[tuple[Num, ...], tuple[int, ...]]] | None = None  # (values, ends); None = undecided
    ways: int = 0  # splits of the characters alone, capped at 2

    def pieces(self, ends: tuple[int, ...]) -> tuple[str, ...]:
        starts = (0, *ends[:-1])
        return tuple(self.text[a:b] for a, b in zip(starts, ends, strict=True))


def _layout(table: TableDef, key: str) -> tuple[list[CellKey], list[str]] | None:
    cells: list[CellKey] = []
    kinds: list[str] = []
    for r in key.split("+"):
        row = next((x for x in table.rows if x.key == r), None)
        if row is None:
            return None
        for c in table.row_columns(row):
            cells.append((r, c.key))
            kinds.append(c.kind)
    return cells, kinds


@dataclass(slots=True)
class _Local:
    const: Num
    coefs: dict[int, int]  # cell index in the run → ±1


def _total_last(eq: _Local) -> bool:
    """Whether the single cell of one side of the identity (a total) is printed after all the others."""
    for sign in (1, -1):
        alone = [c for c, k in eq.coefs.items() if k == sign]
        if len(alone) == 1:
            return alone[0] == max(eq.coefs)
    return False


def _reachable(need: Num, chars: int, cells: int, count: int, whole: bool) -> bool:
    """Whether `count` of the `cells` cells still to cut from `chars` characters can add up to `need` (>= 0)."""
    if need < 0:
        return False
    if not whole:
        return need <= 10 ** (chars - cells + 1) + 9 * count
    if need == 0:
        return chars == count  # every cell `0`
    # Each cell is at most the sum, so no longer than it; and the sum is at least that of the most even cut.
    if chars > count * len(str(int(need))):
        return False
    q, r = divmod(chars, count)
    least = (count - r) * (10 ** (q - 1) if q > 1 else 0) + r * 10 ** q
    return need >= least


def _enumerate(run: _Run, local: list[_Local], limit: int, budget: int) -> int:
    """Fill `run.candidates` with every split consistent with the run's own identities (None past a bound);
    returns the search steps spent."""
    s, cuts, m, n = run.text, run.cuts, len(run.kinds), len(run.text)
    if n == m:  # one character per cell is the only split (most rows of a small organ's table: `0000000`)
        run.ways = 1 if s.isdigit() else 0
        vals = tuple(int(ch) for ch in s) if run.ways else ()
        ok = run.ways and all(eq.const + sum(k * vals[c] for c, k in eq.coefs.items()) == 0 for eq in local)
        run.candidates = [(vals, tuple(range(1, n + 1)))] if ok else []
        return 0
    by_kind = {k: [_pieces_from(s, cuts, i, k) for i in range(n)] for k in set(run.kinds)}
    # The search goes against the reading order when the identities' single sides (totals) stand last, so the
    # total is fixed first and bounds the parts.
    sums = [eq for eq in local if len(eq.coefs) > 1]
    backward = sum(1 for eq in sums if _total_last(eq)) * 2 > len(sums)
    # ways[i][p]: splits (capped at 2) of what is left once cell i is placed and the cut stands at p; lo/hi: the
    # least and greatest sum of the cells left, over those splits (bounds for a total still to be met).
    ways = [[0] * (n + 1) for _ in range(m + 1)]
    lo: list[list[Num]] = [[0] * (n + 1) for _ in range(m + 1)]
    hi: list[list[Num]] = [[0] * (n + 1) for _ in range(m + 1)]
    if backward:
        pieces: dict[str, list[list[tuple[int, Num]]]] = {k: [[] for _ in range(n + 1)] for k in by_kind}
        for k, table in by_kind.items():
            for st, lst in enumerate(table):
                for e, v in lst:
                    pieces[k][e].append((st, v))
        ways[0][0] = 1  # ways[c][p]: cells 0..c-1 cover s[:p]
        cells_dp = [(c, c - 1, c - 1, range(1, n + 1)) for c in range(1, m + 1)]
        order = list(range(m - 1, -1, -1))
        start, run_ways = n, (m, n)
    else:
        pieces = by_kind
        ways[m][n] = 1  # ways[c][p]: cells c..m-1 cover s[p:]
        cells_dp = [(c, c, c + 1, range(n)) for c in range(m - 1, -1, -1)]
        order = list(range(m))
        start, run_ways = 0, (0, 0)
    for here, cell, there, positions in cells_dp:
        opts = pieces[run.kinds[cell]]
        prev_w, prev_lo, prev_hi = ways[there], lo[there], hi[there]
        cur_w, cur_lo, cur_hi = ways[here], lo[here], hi[here]
        for p in positions:
            t = 0
            least: Num | None = None
            most: Num | None = None
            for q, v in opts[p]:
                if prev_w[q]:
                    t += prev_w[q]
                    a, b = v + prev_lo[q], v + prev_hi[q]
                    least = a if least is None or a < least else least
                    most = b if most is None or b > most else most
            if t:
                cur_w[p], cur_lo[p], cur_hi[p] = min(t, 2), least, most  # type: ignore[assignment]
    run.ways = ways[run_ways[0]][run_ways[1]]
    after = 0 if backward else 1  # the tables' index for "cells left once cell c is placed" is c + after

    def options(c: int, p: int) -> list[tuple[int, Num]]:
        w = ways[c + after]
        return [(q, v) for q, v in pieces[run.kinds[c]][p] if w[q]]

    if run.ways == 0:
        run.candidates = []
        return 0
    step = {c: t for t, c in enumerate(order)}
    acts: list[list[tuple[int, int]]] = [[] for _ in range(m)]
    closing: list[list[int]] = [[] for _ in range(m)]
    for q, eq in enumerate(local):
        for c, coef in eq.coefs.items():
            acts[c].append((q, coef))
        closing[max(eq.coefs, key=step.__getitem__)].append(q)
    # After step t, per open identity: the sign all its remaining cells share (0: mixed or signed), their count,
    # and whether they are every cell still to place and all plain counts (then each is at most their sum).
    rest: list[list[tuple[int, int, bool]]] = []
    for t in range(m):
        done = set(order[: t + 1])
        row = []
        for eq in local:
            left = [(c, k) for c, k in eq.coefs.items() if c not in done]
            signs = {k for _, k in left}
            nonneg = all(run.kinds[c] != "signed_count" for c, _ in left)
            whole = len(left) == m - t - 1 and all(run.kinds[c] == "count" for c, _ in left)
            row.append((signs.pop() if len(signs) == 1 and nonneg else 0, len(left), whole))
        rest.append(row)
    found: list[tuple[tuple[Num, ...], tuple[int, ...]]] = []
    values: list[Num] = [0] * m
    bounds: list[int] = [0] * m
    nodes = 0

    def dfs(t: int, p: int, v: list[Num]) -> None:
        nonlocal nodes
        if t == m:
            found.append((tuple(values), tuple(bounds)))
            if len(found) > limit:
                raise _Abort
            return
        c = order[t]
        opts = options(c, p)
        if closing[c]:
            q = closing[c][0]
            coef = local[q].coefs[c]
            need = -v[q] * coef
            opts = [o for o in opts if o[1] == need]
        remaining_cells = m - t - 1
        for p2, val in opts:
            nodes += 1
            if nodes > budget:
                raise _Abort
            nv = v.copy()
            for q, coef in acts[c]:
                nv[q] += coef * val
            if any(nv[q] != 0 for q in closing[c]):
                continue
            chars = p2 if backward else n - p2
            ok = True
            for q, (sign, count, whole) in enumerate(rest[t]):
                if count == 0 or sign == 0:
                    continue
                need = -nv[q] * sign  # what the remaining cells of the identity must add up to
                if need < 0 or (whole and not lo[c + after][p2] <= need <= hi[c + after][p2]) \
                        or not _reachable(need, chars, remaining_cells, count, whole):
                    ok = False
                    break
            if not ok:
                continue
            values[c] = val
            # ends[c] is where cell c stops in the text
            bounds[c] = p if backward else p2
            dfs(t + 1, p2, nv)

    try:
        dfs(0, start, [eq.const for eq in local])
    except _Abort:
        run.candidates = None
        return nodes
    run.candidates = found
    return nodes


def _sumset(a: set[Num], b: set[Num]) -> set[Num] | None:
    if len(a) * len(b) > MAX_SUMSET and len(a) > 1 and len(b) > 1:
        return None
    if len(a) == 1:
        x = next(iter(a))
        return {x + y for y in b}
    if len(b) == 1:
        y = next(iter(b))
        return {x + y for x in a}
    out = {x + y for x in a for y in b}
    return out if len(out) <= MAX_SUMSET else None


@dataclass(slots=True)
class _Cross:
    """An identity linking runs: const + sum over runs of contrib[run][candidate] = 0."""

    const: Num
    runs: list[int]
    contrib: list[list[Num]]  # per run (parallel to `runs`), per candidate


def _propagate(domains: list[list[int]], cross: list[_Cross], of_run: dict[int, list[int]],
               queue: list[int] | None = None) -> bool:
    """Remove every candidate that no choice of the other runs' candidates completes; False on a wipe-out."""
    todo = deque(range(len(cross)) if queue is None else queue)
    queued = set(todo)
    while todo:
        q = todo.popleft()
        queued.discard(q)
        eq = cross[q]
        fixed: Num = eq.const  # runs already down to one split add a constant
        multi: list[int] = []
        for i, r in enumerate(eq.runs):
            d = domains[r]
            if len(d) == 1:
                fixed += eq.contrib[i][d[0]]
            else:
                multi.append(i)
        k = len(multi)
        if k == 0:
            if fixed != 0:
                return False
            continue
        sets = [{eq.contrib[i][ci] for ci in domains[eq.runs[i]]} for i in multi]
        prefix: list[set[Num] | None] = [{0}]
        for S in sets[:-1]:
            prev = prefix[-1]
            prefix.append(None if prev is None else _sumset(prev, S))
        suffix: list[set[Num] | None] = [{0}]
        for S in reversed(sets[1:]):
            prev = suffix[-1]
            suffix.append(None if prev is None else _sumset(prev, S))
        suffix.reverse()
        changed = False
        for j, i in enumerate(multi):
            r = eq.runs[i]
            before, after = prefix[j], suffix[j]
            if before is None or after is None:
                continue
            others = _sumset(before, after)
            if others is None:
                continue
            contrib = eq.contrib[i]
            keep = [ci for ci in domains[r] if -fixed - contrib[ci] in others]
            if len(keep) < len(domains[r]):
                if not keep:
                    return False
                domains[r] = keep
                changed = True
                for q2 in of_run[r]:
                    if q2 != q and q2 not in queued:
                        todo.append(q2)
                        queued.add(q2)
        if changed and k > 1 and q not in queued:
            todo.append(q)
            queued.add(q)
    return True


def _solve(domains: list[list[int]], cross: list[_Cross], of_run: dict[int, list[int]], budget: list[int],
           fixed: tuple[int, int] | None = None) -> list[int] | None:
    """One complete choice of candidates satisfying every linking identity (None if there is none)."""
    doms = [d.copy() for d in domains]
    if fixed is not None:
        doms[fixed[0]] = [fixed[1]]
        if not _propagate(doms, cross, of_run, of_run[fixed[0]]):
            return None
    open_ = [r for r in of_run if len(doms[r]) > 1]
    if not open_:
        return [d[0] if d else -1 for d in doms]
    r = min(open_, key=lambda x: len(doms[x]))
    for ci in doms[r]:
        budget[0] -= 1
        if budget[0] < 0:
            raise _Abort
        sol = _solve(doms, cross, of_run, budget, (r, ci))
        if sol is not None:
            return sol
    return None


def split_table(format_id: str, table_key: str, runs: dict[str, str],
                known: dict[str, dict[str, Num | None]] | None = None) -> dict[str, Split]:
    """Split the glued runs of one table where the identities leave exactly one possibility.

    `runs`: row key → the characters printed after its label (digits; a `.` in money, a sign in signed counts;
    a space, where one was printed, is a certain boundary). A run spanning several rows is keyed by
    `run_key(row, row, …)` (table 4 printed as one line). `known`: cells already read (row → column → value),
    used by the identities that link rows. Returns row key → `Split` for every row whose run has exactly one
    split consistent with the identities; rows with none or several are absent (they stay strays).
    """
    table = get_format(format_id).table(table_key)
    if table is None:
        return {}
    known = known or {}
    parsed: list[_Run] = []
    owner: dict[CellKey, tuple[int, int]] = {}
    for key, text in runs.items():
        layout, tok = _layout(table, key), _tokenize(text)
        if layout is None or tok is None:
            continue
        cells, kinds = layout
        if any(c in owner for c in cells):
            continue
        for i, c in enumerate(cells):
            owner[c] = (len(parsed), i)
        parsed.append(_Run(key, cells, kinds, tok[0], tok[1]))
    if not parsed:
        return {}
    # Sort the identities: a row's own (checked while splitting its run), across rows, or unusable.
    local: list[list[_Local]] = [[] for _ in parsed]
    linking: list[tuple[Num, dict[int, dict[int, int]]]] = []
    for in_row, terms in _equations(format_id, table_key):
        const: Num = 0
        by_run: dict[int, dict[int, int]] = {}
        usable = True
        for coef, r, c in terms:
            if (r, c) in owner:
                ri, ci = owner[r, c]
                by_run.setdefault(ri, {})[ci] = coef
            elif known.get(r, {}).get(c) is not None:
                const += coef * known[r][c]  # type: ignore[operator]
            else:
                usable = False  # a cell neither glued nor read: the identity says nothing exact
                break
        if not usable or not by_run:
            continue
        if in_row and len(by_run) == 1:
            (ri, coefs), = by_run.items()
            local[ri].append(_Local(const, coefs))
        else:  # across rows, even with one run: the table may break it (then it is left out, see `_link`)
            linking.append((const, by_run))
    linked = {ri for _, by_run in linking for ri in by_run}
    for ri, run in enumerate(parsed):
        for i, (r, c) in enumerate(run.cells):  # a glued cell also read elsewhere must agree with it
            value = known.get(r, {}).get(c)
            if value is not None:
                local[ri].append(_Local(-value, {i: 1}))
    budget = TABLE_BUDGET
    for ri in sorted(range(len(parsed)), key=lambda i: len(parsed[i].text)):  # the cheap runs first
        run = parsed[ri]
        budget -= _enumerate(run, local[ri], MAX_CANDIDATES if ri in linked else 1, min(NODE_BUDGET, budget))
    chosen: dict[int, int] = {ri: 0 for ri, run in enumerate(parsed) if run.candidates and len(run.candidates) == 1}
    chosen.update(_link(parsed, linking))
    out: dict[str, Split] = {}
    for ri, ci in chosen.items():
        run = parsed[ri]
        assert run.candidates is not None
        pieces = run.pieces(run.candidates[ci][1])
        i = 0
        for r in run.key.split("+"):
            width = sum(1 for rr, _ in run.cells if rr == r)
            out[r] = Split(pieces[i:i + width], run.ways > 1)
            i += width
    return out


def _link(parsed: list[_Run], linking: list[tuple[Num, dict[int, dict[int, int]]]]) -> dict[int, int]:
    """Run → its one candidate, decided by the identities that link runs (nothing when they contradict)."""
    cross: list[_Cross] = []
    for const, by_run in linking:
        if any(not parsed[ri].candidates for ri in by_run):
            continue  # a run with no split (or too many) tells nothing exact
        rs = sorted(by_run)
        contrib = [[sum(coef * cand[0][ci] for ci, coef in by_run[ri].items())  # type: ignore[misc]
                    for cand in parsed[ri].candidates or ()] for ri in rs]
        cross.append(_Cross(const, rs, contrib))
    if not cross:
        return {}
    domains = [list(range(len(run.candidates or ()))) for run in parsed]
    # An identity the table breaks whatever the splits (a misprinted total) is left out rather than trusted.
    kept = []
    for eq in cross:
        alone = [d.copy() for d in domains]
        if _propagate(alone, [eq], {r: [0] for r in eq.runs}):
            kept.append(eq)
    cross = kept
    of_run: dict[int, list[int]] = {}
    for q, eq in enumerate(cross):
        for r in eq.runs:
            of_run.setdefault(r, []).append(q)
    if not cross or not _propagate(domains, cross, of_run):
        return {}
    budget = [SEARCH_BUDGET]
    try:
        solution = _solve(domains, cross, of_run, budget)
        if solution is None:
            return {}
    except _Abort:
        return {}
    out: dict[int, int] = {}
    try:
        for r in of_run:
            if all(ci == solution[r] or _solve(domains, cross, of_run, budget, (r, ci)) is None
                   for ci in domains[r]):
                out[r] = solution[r]
    except _Abort:
        pass  # the runs decided so far stay decided: each alternative of theirs was shown impossible
    return out
