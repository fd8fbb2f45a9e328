"""Per-module columns of an index snapshot, for vectorised filters and competency scoring.

Scalar fields (format, language, prices, region) are one array entry per
module; multi-valued fields (locations, date windows, competency tags) are
flat tables of (position, value) pairs. Filtering 100,000 modules is then a
handful of array comparisons instead of a Python loop, and one module's
change is applied by editing the arrays (:meth:`Columns.changed`) instead of
rebuilding them from every module.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from campus.catalogue.models import Module

Array = npt.NDArray[Any]
NATIONWIDE = "bundesweit"
SCALARS = ("format", "language", "category", "region", "everywhere", "has_dates", "price_member", "price_non_member")
TABLES = ("location", "window", "tag")


@dataclass(frozen=True)
class Table:
    """A multi-valued column: ``position[i]`` has ``values[name][i]`` for each value name."""

    position: npt.NDArray[np.int64]
    values: dict[str, Array]

    def without(self, position: int) -> Table:
        keep = self.position != position
        moved = self.position[keep]
        return Table(np.where(moved > position, moved - 1, moved), {k: v[keep] for k, v in self.values.items()})

    def replaced(self, position: int, new: Table) -> Table:
        keep = self.position != position
        return Table(np.concatenate([self.position[keep], new.position]),
                     {k: np.concatenate([v[keep], new.values[k]]) for k, v in self.values.items()})


def _scalars(module: Module) -> dict[str, Any]:
    region = (module.region or "").lower()
    return {
        "format": module.format, "language": module.language, "category": module.category, "region": region,
        "everywhere": module.format == "online" or region == NATIONWIDE, "has_dates": bool(module.dates),
        "price_member": float(module.price_member_eur), "price_non_member": float(module.price_non_member_eur),
    }


def _tables(modules: list[Module], offset: int, tags: dict[str, int]) -> dict[str, Table]:
    """The (position, value) tables of ``modules``; new competency ids are added to ``tags``."""
    loc_pos, loc_name, win_pos, win_start, win_end, tag_pos, tag_col, tag_weight = ([] for _ in range(8))
    for i, module in enumerate(modules, start=offset):
        for location in module.locations:
            loc_pos.append(i)
            loc_name.append(location.lower())
        for window in module.dates:
            win_pos.append(i)
            win_start.append(date.fromisoformat(window["start"]).toordinal())
            win_end.append(date.fromisoformat(window["end"]).toordinal())
        for tag in module.competencies:
            tag_pos.append(i)
            tag_col.append(tags.setdefault(tag["id"], len(tags)))
            # an inferred tag counts as much as the platform is sure of it; a provider's or the board's fully
            tag_weight.append(float(tag.get("confidence", 1.0)))
    return {
        "location": Table(np.array(loc_pos, dtype=np.int64), {"name": np.array(loc_name, dtype=str)}),
        "window": Table(np.array(win_pos, dtype=np.int64), {"start": np.array(win_start, dtype=np.int64),
                                                            "end": np.array(win_end, dtype=np.int64)}),
        "tag": Table(np.array(tag_pos, dtype=np.int64), {"column": np.array(tag_col, dtype=np.int64),
                                                         "weight": np.array(tag_weight, dtype=np.float64)}),
    }


@dataclass(frozen=True)
class Columns:
    scalars: dict[str, Array]
    tables: dict[str, Table]
    competency_index: dict[str, int]  # competency id → column of the tag table; only ever grows
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @classmethod
    def of(cls, modules: list[Module]) -> Columns:
        rows = [_scalars(m) for m in modules]
        scalars = {name: np.array([r[name] for r in rows], dtype=_dtype(name)) for name in SCALARS}
        tags: dict[str, int] = {}
        return cls(scalars, _tables(modules, 0, tags), tags)

    def __len__(self) -> int:
        return len(self.scalars["format"])

    def changed(self, position: int | None, module: Module | None) -> Columns:
        """The columns after one change: ``position`` None appends, ``module`` None deletes."""
        tags = dict(self.competency_index)
        if module is None:
            assert position is not None
            return Columns({k: np.delete(v, position) for k, v in self.scalars.items()},
                           {k: t.without(position) for k, t in self.tables.items()}, tags)
        row = _scalars(module)
        at = len(self) if position is None else position
        new = _tables([module], at, tags)
        if position is None:
            scalars = {k: np.append(v, np.array([row[k]], dtype=_dtype(k))) for k, v in self.scalars.items()}
            tables = {k: Table(np.concatenate([t.position, new[k].position]),
                               {n: np.concatenate([v, new[k].values[n]]) for n, v in t.values.items()})
                      for k, t in self.tables.items()}
        else:
            scalars = {}
            for k, v in self.scalars.items():
                value = np.array([row[k]], dtype=_dtype(k))
                scalars[k] = v.astype(np.result_type(v, value))  # a copy, wide enough for a longer string
                scalars[k][position] = value[0]
            tables = {k: t.replaced(position, new[k]) for k, t in self.tables.items()}
        return Columns(scalars, tables, tags)

    def competencies(self) -> Any:
        """The (module × competency) matrix of tag weights, as scipy CSR (scipy ships no type information)."""
        with self._lock:
            if "csr" not in self._cache:
                from scipy.sparse import csr_matrix  # type: ignore[import-untyped]  # scipy ships no stubs

                tag = self.tables["tag"]
                self._cache["csr"] = csr_matrix((tag.values["weight"], (tag.position, tag.values["column"])),
                                                shape=(len(self), len(self.competency_index)))
            return self._cache["csr"]

    def in_region(self, region: str) -> npt.NDArray[np.bool_]:
        """Online and nationwide modules are available everywhere; others in their region or towns."""
        wanted = region.lower()
        keep = self.scalars["everywhere"] | (self.scalars["region"] == wanted)
        location = self.tables["location"]
        keep[location.position[location.values["name"] == wanted]] = True
        return np.asarray(keep, dtype=bool)

    def available(self, start: date | None, end: date | None) -> npt.NDArray[np.bool_]:
        """Self-paced modules always; dated ones when one of their windows overlaps [start, end]."""
        keep = np.asarray(~self.scalars["has_dates"], dtype=bool).copy()
        window = self.tables["window"]
        overlap = np.ones(len(window.position), dtype=bool)
        if start is not None:
            overlap &= window.values["end"] >= start.toordinal()
        if end is not None:
            overlap &= window.values["start"] <= end.toordinal()
        keep[window.position[overlap]] = True
        return keep


def _dtype(name: str) -> type[Any]:
    if name in ("everywhere", "has_dates"):
        return bool
    if name.startswith("price"):
        return np.float64
    return str


@dataclass(frozen=True)
class SearchFilters:
    formats: tuple[str, ...] = ()
    region: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    max_price_eur: float | None = None
    member: bool = True
    language: str | None = None
    categories: tuple[str, ...] = ()

    def mask(self, modules: list[Module], columns: Columns | None = None) -> npt.NDArray[np.bool_]:
        """Which modules pass, as array comparisons over the snapshot's columns (built here when not given)."""
        columns = columns if columns is not None else Columns.of(modules)
        scalars = columns.scalars
        keep = np.ones(len(modules), dtype=bool)
        if self.formats:
            keep &= np.isin(scalars["format"], self.formats)
        if self.language:
            keep &= scalars["language"] == self.language
        if self.categories:
            keep &= np.isin(scalars["category"], self.categories)
        if self.max_price_eur is not None:
            keep &= scalars["price_member" if self.member else "price_non_member"] <= self.max_price_eur
        if self.region:
            keep &= columns.in_region(self.region)
        if self.date_from or self.date_to:
            keep &= columns.available(self.date_from, self.date_to)
        return keep
