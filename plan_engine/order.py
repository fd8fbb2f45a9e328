"""Order plan items: prerequisites first (topological), then Basis before Intensiv, level and dates.

A cycle among the items' hard prerequisites is provider data we cannot
honour; it raises :class:`PrerequisiteCycleError` (a typed error the
planner catches and reports), it never loops. Soft "Basis before Intensiv
on the same competency" edges are only added where they close no cycle.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import TypeVar

N = TypeVar("N", bound=Hashable)
SortKey = tuple[int, ...]


class PrerequisiteCycleError(ValueError):
    """Modules whose prerequisites point at each other in a circle."""

    def __init__(self, chain: Sequence[int]) -> None:
        super().__init__(f"prerequisite cycle: {' -> '.join(str(c) for c in chain)}")
        self.chain = list(chain)


def reaches(edges: dict[N, set[N]], start: N, goal: N) -> bool:
    seen, stack = {start}, [start]
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        for nxt in edges.get(node, ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return False


def topological_order(
    nodes: Sequence[int],
    hard: Iterable[tuple[int, int]],
    key: Callable[[int], SortKey],
    soft: Iterable[tuple[int, int]] = (),
) -> list[int]:
    """Kahn's algorithm, always taking the smallest ``key`` among ready nodes; edges are (before, after).

    Nodes are catalogue positions, the only thing the selection orders, so
    the nodes left on a cycle fit :class:`PrerequisiteCycleError`'s int chain.
    """
    members = set(nodes)
    succ: dict[int, set[int]] = {n: set() for n in nodes}
    for a, b in hard:
        if a in members and b in members and a != b:
            succ[a].add(b)
    for a, b in soft:
        if a in members and b in members and a != b and b not in succ[a] and not reaches(succ, b, a):
            succ[a].add(b)
    indegree = {n: 0 for n in nodes}
    for a in nodes:
        for b in succ[a]:
            indegree[b] += 1
    ready = [(key(n), i, n) for i, n in enumerate(nodes) if indegree[n] == 0]
    heapq.heapify(ready)
    position = {n: i for i, n in enumerate(nodes)}
    out: list[int] = []
    while ready:
        _, _, node = heapq.heappop(ready)
        out.append(node)
        for nxt in succ[node]:
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                heapq.heappush(ready, (key(nxt), position[nxt], nxt))
    if len(out) < len(nodes):
        raise PrerequisiteCycleError([n for n in nodes if indegree[n] > 0])
    return out
