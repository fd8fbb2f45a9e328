"""A columnar view of the approved catalogue, so one plan is a handful of numpy operations.

Built once per index snapshot (and cached with it): competency levels as
padded ``(n, K)`` arrays, hours, learning units, category and format codes,
prices, a place index for the region preference, date windows as flat ordinal
arrays, and the prerequisite graph resolved to module positions, with its
cycles found once (Tarjan, iterative) so no plan ever walks in circles.

``Module.prerequisites`` holds provider references: usually another
module's ``external_id`` (same provider preferred, else a unique match in
the store); ``provider/external_id``, ``provider:external_id`` and a plain
numeric module id are understood as well.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from campus.store.ids import stored_id

log = logging.getLogger(__name__)

FORMATS = ("online", "presence", "blended")
FORMAT_CODE = {name: code for code, name in enumerate(FORMATS)}
ONLINE = FORMAT_CODE["online"]
DEFAULT_CATEGORY_ORDER = ("Basismodul", "Intensivmodul", "Bonusmodul")
NATIONWIDE = "bundesweit"


class CatalogueModule(Protocol):
    """What the engine reads of a module: a ``Module`` row, or any object with these fields (tests, benchmarks)."""

    @property
    def id(self) -> int | None: ...
    @property
    def provider_id(self) -> str: ...
    @property
    def external_id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def competencies(self) -> list[dict[str, Any]]: ...  # [{"id", "level_from", "level_to"}] (JSON column)
    @property
    def prerequisites(self) -> list[str]: ...
    @property
    def learning_units(self) -> int: ...
    @property
    def duration_hours(self) -> float: ...
    @property
    def format(self) -> str: ...
    @property
    def region(self) -> str | None: ...
    @property
    def locations(self) -> list[str]: ...
    @property
    def dates(self) -> list[dict[str, str]]: ...  # [{"start", "end"}] ISO dates (JSON column)
    @property
    def price_member_eur(self) -> float: ...  # for employees of member administrations of the cooperative
    @property
    def price_non_member_eur(self) -> float: ...


class CatalogueSnapshot(Protocol):
    """The approved modules and their passage vectors, row for row (``embeddings.index.IndexSnapshot``)."""

    @property
    def modules(self) -> Sequence[CatalogueModule]: ...
    @property
    def vectors(self) -> npt.NDArray[np.float32]: ...


# per competency: the positions of the modules teaching it, and their level_from / level_to
CompetencyRows = tuple[npt.NDArray[np.intp], npt.NDArray[np.int16], npt.NDArray[np.int16]]


@dataclass(frozen=True)
class KnownModule:
    """Any module in the store (approved or not), for resolving prerequisite references."""

    id: int
    provider_id: str
    external_id: str
    status: str
    competencies: tuple[tuple[str, int], ...]  # (competency, level_to)


@dataclass(frozen=True)
class PrerequisiteCheck:
    """One prerequisite of a module and what would make it unnecessary."""

    ref: str
    module_id: int | None  # None: the reference matches no module we know
    index: int  # position in the catalogue arrays, -1 when the module is not recommendable
    levels: tuple[tuple[str, int], ...]  # reaching these levels counts as having the prerequisite


@dataclass(eq=False)
class CatalogueArrays:
    modules: list[CatalogueModule]
    ids: npt.NDArray[np.int64]
    vectors: npt.NDArray[np.float32]
    competency_index: dict[str, int]
    comp: npt.NDArray[np.int32]  # (n, K) competency position, -1 = padding
    level_from: npt.NDArray[np.int16]  # (n, K)
    level_to: npt.NDArray[np.int16]  # (n, K)
    hours: npt.NDArray[np.float32]
    units: npt.NDArray[np.int32]
    price_member: npt.NDArray[np.float64]  # euros
    price_other: npt.NDArray[np.float64]
    category_rank: npt.NDArray[np.int16]
    format_code: npt.NDArray[np.int8]
    min_level: npt.NDArray[np.int16]
    everywhere: npt.NDArray[np.bool_]  # online, nationwide or without a region: no travel constraint
    places: dict[str, npt.NDArray[np.int64]]  # lower-case region / town -> module positions
    win_module: npt.NDArray[np.int64]  # flat date windows, grouped by module, ascending start
    win_start: npt.NDArray[np.int64]  # date ordinals
    win_end: npt.NDArray[np.int64]
    win_offsets: npt.NDArray[np.int64]  # (n + 1,)
    prerequisites: list[tuple[PrerequisiteCheck, ...]]
    dependants: dict[int, list[int]]  # position -> positions of modules that name it as a prerequisite
    cycles: list[list[int]]  # module ids on each prerequisite cycle
    # per competency: the modules teaching it and their levels (CSR), so a learner's few gaps touch few rows
    by_competency: list[CompetencyRows] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    category_order: tuple[str, ...] = DEFAULT_CATEGORY_ORDER
    _position: dict[int, int] | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.modules)

    @property
    def position(self) -> dict[int, int]:
        if self._position is None:
            self._position = {int(mid): i for i, mid in enumerate(self.ids)}
        return self._position

    def pair_keys(self, rows: npt.NDArray[np.integer[Any]] | slice = slice(None)) -> npt.NDArray[np.int64]:
        """``competency * 8 + level_to`` per (module, competency); -1 for padding. Equal keys = redundant teaching."""
        comp = self.comp[rows]
        return np.where(comp >= 0, comp.astype(np.int64) * 8 + self.level_to[rows], -1)

    def prices(self, member: bool) -> npt.NDArray[np.float64]:
        """The price each module costs the learner: the member price for members of the cooperative."""
        return self.price_member if member else self.price_other

    def windows(self, i: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        lo, hi = self.win_offsets[i], self.win_offsets[i + 1]
        return self.win_start[lo:hi], self.win_end[lo:hi]


def _ordinal(value: str | date) -> int:
    return (value if isinstance(value, date) else date.fromisoformat(value)).toordinal()


def _known_from(modules: Sequence[CatalogueModule]) -> list[KnownModule]:
    return [KnownModule(stored_id(m.id), m.provider_id, m.external_id, "approved",
                        tuple((c["id"], int(c["level_to"])) for c in m.competencies)) for m in modules]


class _Resolver:
    def __init__(self, known: Iterable[KnownModule]) -> None:
        self.by_id: dict[int, KnownModule] = {}
        self.by_external: dict[str, list[KnownModule]] = {}
        for k in known:
            self.by_id[k.id] = k
            self.by_external.setdefault(k.external_id, []).append(k)

    def resolve(self, ref: str, provider_id: str) -> KnownModule | None:
        ref = ref.strip()
        for separator in ("/", ":"):
            if separator in ref:
                provider, external = ref.split(separator, 1)
                for k in self.by_external.get(external, []):
                    if k.provider_id == provider:
                        return k
        if ref.isdigit() and int(ref) in self.by_id:
            return self.by_id[int(ref)]
        matches = self.by_external.get(ref, [])
        own = [k for k in matches if k.provider_id == provider_id]
        if own:
            return own[0]
        return min(matches, key=lambda k: k.id) if matches else None


def find_cycles(adjacency: Sequence[Sequence[int]]) -> list[list[int]]:
    """Strongly connected components with more than one node (or a self-loop); iterative, so never recursion-bound."""
    n = len(adjacency)
    index = [-1] * n
    low = [0] * n
    on_stack = [False] * n
    stack: list[int] = []
    cycles: list[list[int]] = []
    counter = 0
    for root in range(n):
        if index[root] >= 0 or not adjacency[root]:
            continue
        work = [(root, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack[node] = True
            recurse = False
            edges = adjacency[node]
            while child < len(edges):
                nxt = edges[child]
                child += 1
                if index[nxt] < 0:
                    work.append((node, child))
                    work.append((nxt, 0))
                    recurse = True
                    break
                if on_stack[nxt]:
                    low[node] = min(low[node], index[nxt])
            if recurse:
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    top = stack.pop()
                    on_stack[top] = False
                    component.append(top)
                    if top == node:
                        break
                if len(component) > 1 or node in adjacency[node]:
                    cycles.append(sorted(component))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return cycles


def build_arrays(
    modules: Sequence[CatalogueModule],
    vectors: npt.ArrayLike,
    known: Iterable[KnownModule] | None = None,
    category_order: Sequence[str] = DEFAULT_CATEGORY_ORDER,
) -> CatalogueArrays:
    """Lay the recommendable modules out as arrays; ``known`` adds the rest of the store for prerequisites."""
    n = len(modules)
    competency_ids = sorted({c["id"] for m in modules for c in m.competencies})
    cindex = {cid: i for i, cid in enumerate(competency_ids)}
    width = max((len(m.competencies) for m in modules), default=1) or 1
    comp = np.full((n, width), -1, dtype=np.int32)
    level_from = np.zeros((n, width), dtype=np.int16)
    level_to = np.zeros((n, width), dtype=np.int16)
    rank = {name: r for r, name in enumerate(category_order)}
    places: dict[str, list[int]] = {}
    win_module: list[int] = []
    win_start: list[int] = []
    win_end: list[int] = []
    offsets = np.zeros(n + 1, dtype=np.int64)
    everywhere = np.zeros(n, dtype=bool)
    for i, m in enumerate(modules):
        for k, c in enumerate(m.competencies):
            comp[i, k] = cindex[c["id"]]
            level_from[i, k] = int(c["level_from"])
            level_to[i, k] = int(c["level_to"])
        region = (m.region or "").strip().lower()
        everywhere[i] = m.format == "online" or region in ("", NATIONWIDE)
        if not everywhere[i]:
            for place in {region, *(loc.strip().lower() for loc in m.locations)}:
                places.setdefault(place, []).append(i)
        windows = sorted((_ordinal(w["start"]), _ordinal(w["end"])) for w in m.dates)
        for start, end in windows:
            win_module.append(i)
            win_start.append(start)
            win_end.append(end)
        offsets[i + 1] = offsets[i] + len(windows)
    arrays = CatalogueArrays(
        modules=list(modules),
        ids=np.array([stored_id(m.id) for m in modules], dtype=np.int64),
        vectors=np.ascontiguousarray(vectors, dtype=np.float32),
        competency_index=cindex, comp=comp, level_from=level_from, level_to=level_to,
        hours=np.array([float(m.duration_hours) for m in modules], dtype=np.float32),
        units=np.array([int(m.learning_units) for m in modules], dtype=np.int32),
        price_member=np.array([float(m.price_member_eur) for m in modules], dtype=np.float64),
        price_other=np.array([float(m.price_non_member_eur) for m in modules], dtype=np.float64),
        category_rank=np.array([rank.get(m.category, len(rank)) for m in modules], dtype=np.int16),
        format_code=np.array([FORMAT_CODE.get(m.format, ONLINE) for m in modules], dtype=np.int8),
        min_level=np.where(comp >= 0, level_from, 99).min(axis=1).astype(np.int16) if n else np.zeros(0, np.int16),
        everywhere=everywhere,
        places={p: np.array(rows, dtype=np.int64) for p, rows in places.items()},
        win_module=np.array(win_module, dtype=np.int64), win_start=np.array(win_start, dtype=np.int64),
        win_end=np.array(win_end, dtype=np.int64), win_offsets=offsets,
        prerequisites=[], dependants={}, cycles=[], category_order=tuple(category_order),
    )
    arrays.by_competency = _by_competency(comp, level_from, level_to, len(cindex))
    _resolve_prerequisites(arrays, known)
    return arrays


def _by_competency(comp: npt.NDArray[np.int32], level_from: npt.NDArray[np.int16], level_to: npt.NDArray[np.int16],
                   size: int) -> list[CompetencyRows]:
    flat = comp.ravel()
    valid = np.nonzero(flat >= 0)[0]
    order = valid[np.argsort(flat[valid], kind="stable")]
    bounds = np.searchsorted(flat[order], np.arange(size + 1))
    rows = order // comp.shape[1]
    lf, lt = level_from.ravel()[order], level_to.ravel()[order]
    return [(rows[bounds[c]:bounds[c + 1]], lf[bounds[c]:bounds[c + 1]], lt[bounds[c]:bounds[c + 1]])
            for c in range(size)]


def _resolve_prerequisites(arrays: CatalogueArrays, known: Iterable[KnownModule] | None) -> None:
    modules = arrays.modules
    resolver = _Resolver(list(known) if known is not None else _known_from(modules))
    position = arrays.position
    adjacency: list[list[int]] = [[] for _ in modules]
    for i, m in enumerate(modules):
        checks = []
        own = {c["id"] for c in m.competencies}
        for ref in m.prerequisites or ():
            target = resolver.resolve(str(ref), m.provider_id)
            if target is None:
                arrays.warnings.append(f"unknown_prerequisite:{m.id}:{ref}")
                checks.append(PrerequisiteCheck(str(ref), None, -1, ()))
                continue
            shared = tuple((cid, lvl) for cid, lvl in target.competencies if cid in own)
            j = position.get(target.id, -1) if target.status == "approved" else -1
            checks.append(PrerequisiteCheck(str(ref), target.id, j, shared or target.competencies))
            if j >= 0:
                adjacency[i].append(j)
                arrays.dependants.setdefault(j, []).append(i)
        arrays.prerequisites.append(tuple(checks))
    arrays.cycles = [[int(arrays.ids[i]) for i in component] for component in find_cycles(adjacency)]
    for cycle in arrays.cycles:
        log.warning("prerequisite cycle in the catalogue between modules %s", cycle)


_cache_lock = threading.Lock()
_cache: tuple[CatalogueSnapshot, CatalogueArrays] | None = None


def arrays_for(snapshot: CatalogueSnapshot, known: Callable[[], Iterable[KnownModule]] | None = None,
               category_order: Sequence[str] = DEFAULT_CATEGORY_ORDER) -> CatalogueArrays:
    """The arrays of an index snapshot, built once per snapshot object (``known`` is only called then)."""
    global _cache
    with _cache_lock:
        if _cache is not None and _cache[0] is snapshot and _cache[1].category_order == tuple(category_order):
            return _cache[1]
    arrays = build_arrays(snapshot.modules, snapshot.vectors, known() if known else None, category_order)
    with _cache_lock:
        _cache = (snapshot, arrays)
    return arrays
