"""Disclosure control for published tables of counts: primary and secondary cell suppression.

The rule
--------
Public counts follow the Government Statistical Service guidance on disclosure control for
tables produced from administrative sources [GSS2014]_, by cell suppression:

1. **Primary suppression.** A count from 1 to ``threshold - 1`` is withheld, whether it is a
   cell, a row or column total, or the grand total. Zero is shown: it says that nothing was
   recorded, not about whom.
2. **Secondary suppression.** Further cells are withheld so that no withheld count can be
   worked out from what is published (the other cells, every total, and what the reader knows
   besides: no count is negative, and a withheld count is at least 1 because zero is shown) by
   any adding and subtracting. The protection level is the threshold: the range of values
   consistent with everything published is at least ``threshold`` wide for every primary
   cell (a withheld 2 might be anything from 1 to 6, or more), and no withheld cell is left
   determined (one that is, is shown: withholding it would only pretend).
3. **A fixed publication grid.** A table is published whole, with its margins, and any other
   figure is published only if it is a linear function of the published grid, i.e. it can be
   worked out from the grid exactly; otherwise it is withheld too. So a figure over a range of
   periods or a group of rows never adds information: differencing two published ranges gives
   nothing the grid does not already give. Periods are separate tables (`PublicationGrid`), so
   a new period never changes the protection of an earlier one.
4. **Table redesign before suppression.** In each period, rows holding very few records (four
   times the threshold by default: records placed far outside the area, say) are shown only
   together, as one row (`POOLED`), so that they can be protected without withholding the
   totals that matter; each such row is known to hold at least one record, and the pooled
   cell's floor says so.

How
---
A two-way table with its margins is an (R+1) × (C+1) table in which every row and every column
adds up. Changing withheld cells without changing any published figure is then a circulation
on the bipartite graph whose nodes are the rows and columns and whose edges are the withheld
cells [Cox1980]_, and the narrowest range an attacker can deduce for a withheld cell (the
linear-programming "audit" of a suppression pattern, [HDS2012]_) is two maximum flows, each arc
bounded by how far its cell may fall before reaching its floor. For each primary cell in turn
(smallest first), if no withheld rectangle through it already moves it far enough and the flows
say its range is still narrower than the threshold, the cells on the cheapest path that would
let it rise further are withheld (Dijkstra over the residual graph: withheld cells are free,
others cost their count, row and column totals much more, the grand total most), until the
flows say it is protected. The path through the totals is unbounded, so this always ends.
`ProtectedTable.intervals` gives the exact ranges, for audit; the test suite checks them
against a linear programme and attacks whole patterns with one.

Layers: some tables are published in several versions whose cells are linked, e.g. counts of
all records and of distinct Crime IDs (never more than all records). They share one pattern;
the protection counts only shifts that move every layer alike (bounded by the layer with least
room), or the first layer alone where the others are zero; a cell that only the first layer
can move is shown in the others (`ProtectedTable.hidden`).

Limits
------
- It protects against deduction from the published figures. It does not protect against what
  someone knows from elsewhere (a victim knows of their own crime; a neighbour may know of the
  one burglary in a street), nor against a figure that is a non-additive function of a count
  (a rate beside a published population): such figures must be withheld with their count,
  which the caller does (`cdrp.accounts.policy` does it for document tables).
- It protects what it is given: figures published by other means (police.uk's own downloads,
  a document that prints the same counts exactly) are outside it.
- Which cells are withheld is itself public: a withheld total says that some count in it is
  small. The marker is the same for primary and secondary cells so as to say no more; a
  reader who reruns the method on guessed values could still learn something from the pattern.
- Protection holds for one state of the data. A period recomputed after its data changed (a
  corrected month) can be compared with its earlier release.
- The pattern is good, not optimal: finding the least-cost pattern is NP-hard in general; the
  greedy choice may withhold more than the minimum.

References
----------
.. [GSS2014] Government Statistical Service, "GSS/GSR Disclosure Control Guidance for Tables
   Produced from Administrative Sources", October 2014.
.. [Cox1980] L. H. Cox, "Suppression methodology and statistical disclosure control", Journal
   of the American Statistical Association 75 (370), 1980, 377-385.
.. [HDS2012] A. Hundepool, J. Domingo-Ferrer, L. Franconi, S. Giessing, E. Schulte Nordholt,
   K. Spicer and P.-P. de Wolf, Statistical Disclosure Control, Wiley, 2012 (tabular data:
   cell suppression and its audit).
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["DEFAULT_THRESHOLD", "POOLED", "PublicationGrid", "ProtectedTable", "protect"]

#: Counts below this are withheld unless the caller says otherwise.
DEFAULT_THRESHOLD = 5

# Cost of withholding a cell beyond its count: totals are worth more to readers than inner cells,
# a row total (an area's total) more than a column total, the grand total most.
_WEIGHT_INNER, _WEIGHT_COLUMN_TOTAL, _WEIGHT_ROW_TOTAL, _WEIGHT_GRAND = 1, 50, 200, 10_000
_INF = np.iinfo(np.int64).max // 4
# A cell of the extended table, (row, column); in the graphs row r is node r, column c -(c + 1).
_Cell = tuple[int, int]
# A component of the withheld cells' graph: its tree edges (parent node, child node, cell; the
# root has no parent or cell) and its other edges (row node, column node, cell).
_Component = tuple[list[tuple[int | None, int, _Cell | None]], list[tuple[int, int, _Cell]]]


def _extend(table: np.ndarray) -> np.ndarray:
    """The table with its row totals as a last column and column totals as a last row."""
    rows, cols = table.shape
    out = np.zeros((rows + 1, cols + 1), dtype=np.int64)
    out[:rows, :cols] = table
    out[:rows, cols] = table.sum(axis=1)
    out[rows, :cols] = table.sum(axis=0)
    out[rows, cols] = table.sum()
    return out


def _signs(rows: int, cols: int) -> np.ndarray:
    # With single totals negated, every row and column of the extended table sums to zero.
    s = np.ones((rows + 1, cols + 1), dtype=np.int64)
    s[:rows, cols] = -1
    s[rows, :cols] = -1
    return s


@dataclass
class ProtectedTable:
    """A two-way table of counts with its totals and the cells withheld from publication.

    Attributes
    ----------
    values : ndarray, shape (layers, R + 1, C + 1)
        Every layer with its totals: the last column holds row totals, the last row column
        totals, the corner the grand total.
    primary, suppressed : ndarray of bool, shape (R + 1, C + 1)
        Cells withheld because they are small, and the pattern of withheld cells.
    threshold : int
    floors : ndarray, shape (layers, R + 1, C + 1)
        The least value a reader knows each cell has (1 above zero, unless pooled).
    hidden : ndarray of bool, shape (layers, R + 1, C + 1)
        What each layer withholds: the pattern, less its zeros (always shown) and, in a further
        layer, the cells the pattern fixes there anyway.
    """

    values: np.ndarray
    primary: np.ndarray
    suppressed: np.ndarray
    threshold: int
    floors: np.ndarray
    hidden: np.ndarray
    _components: dict[int, list[_Component]] = field(default_factory=dict, repr=False)

    @property
    def shape(self) -> tuple[int, int]:
        """(R, C): the inner table's rows and columns."""
        return self.values.shape[1] - 1, self.values.shape[2] - 1

    def published(self, layer: int = 0) -> list[list[int | None]]:
        """The extended table of `layer` as published: None where withheld."""
        return [
            [None if hidden else int(v) for v, hidden in zip(row, mask, strict=True)]
            for row, mask in zip(self.values[layer], self.hidden[layer], strict=True)
        ]

    def box(self, rows: ArrayLike, cols: ArrayLike, layer: int = 0) -> int | None:
        """The sum of the inner cells in `rows` × `cols` (boolean masks or index lists), or
        None when it cannot be worked out exactly from the published figures.

        A sum that can be worked out is published: it tells nothing the table does not.
        """
        r_count, c_count = self.shape
        row_mask = _mask(rows, r_count)
        col_mask = _mask(cols, c_count)
        inner = self.values[layer, :r_count, :c_count]
        total = int(inner[np.ix_(row_mask, col_mask)].sum())
        query = np.zeros(self.suppressed.shape, dtype=np.int64)
        query[:r_count, :c_count] = self.hidden[layer, :r_count, :c_count] & np.outer(
            row_mask, col_mask
        )
        if not query.any():
            return total
        return total if self._derivable(query, layer) else None

    def _derivable(self, query: np.ndarray, layer: int) -> bool:
        # The query (1 on some withheld inner cells) can be worked out iff it lies in the span
        # of the line constraints restricted to withheld cells: q_k = s_k (a_row + b_column) for
        # one value per line. Solved exactly along a spanning tree of each component.
        sign = _signs(*self.shape)
        for tree, others in self._tree(layer):
            potential: dict[int, int] = {}
            for parent, child, cell in tree:
                if parent is None:
                    potential[child] = 0
                else:
                    potential[child] = int(query[cell] * sign[cell]) - potential[parent]
            for row_node, col_node, cell in others:
                if potential[row_node] + potential[col_node] != int(query[cell] * sign[cell]):
                    return False
        return True

    def _tree(self, layer: int) -> list[_Component]:
        if layer not in self._components:
            self._components[layer] = _spanning_trees(self.hidden[layer])
        return self._components[layer]

    def intervals(self, layer: int = 0) -> dict[tuple[int, int], tuple[int, int | None]]:
        """The narrowest range that the published figures of `layer` allow for each of its
        withheld cells, knowing each withheld count's floor (the audit an attacker would
        run on this layer alone), keyed by (row, column) of the extended table. Computed by
        maximum flows; equal to the linear programme's bounds. (hi None: no upper bound.)
        """
        sign = _signs(*self.shape)
        values = self.values[layer]
        # A withheld count is at least its floor (1: zero is shown).
        member = self.hidden[layer]
        low = np.where(member, values - self.floors[layer], 0)
        out: dict[tuple[int, int], tuple[int, int | None]] = {}
        for r, c in zip(*np.nonzero(member), strict=True):
            cell = (int(r), int(c))
            up, down = _shift_range(member, low, sign, cell, cap=None)
            lo = int(values[cell]) - down
            hi = None if up >= _INF else int(values[cell]) + up
            out[cell] = (lo, hi)
        return out


def _mask(selection: ArrayLike, size: int) -> np.ndarray:
    arr = np.asarray(selection)
    if arr.dtype == bool:
        if arr.shape != (size,):
            raise ValueError(f"a mask of {arr.shape[0]} for {size} rows or columns")
        return arr
    mask = np.zeros(size, dtype=bool)
    mask[arr.astype(int)] = True
    return mask


def _spanning_trees(suppressed: np.ndarray) -> list[_Component]:
    """For each connected component of the withheld cells' bipartite graph: the tree edges in
    breadth-first order as (parent node, child node, cell) and the other edges as (row node,
    column node, cell). Row r is node r, column c is node -(c + 1)."""
    rows, cols = suppressed.shape
    adjacent: dict[int, list[tuple[int, _Cell]]] = {}
    for r, c in zip(*np.nonzero(suppressed), strict=True):
        r, c = int(r), int(c)
        adjacent.setdefault(r, []).append((-(c + 1), (r, c)))
        adjacent.setdefault(-(c + 1), []).append((r, (r, c)))
    seen: set[int] = set()
    used: set[tuple[int, int]] = set()
    components: list[_Component] = []
    for start in sorted(adjacent):
        if start in seen:
            continue
        tree: list[tuple[int | None, int, _Cell | None]] = [(None, start, None)]
        seen.add(start)
        queue = deque([start])
        cells: set[_Cell] = set()
        while queue:
            node = queue.popleft()
            for other, cell in adjacent[node]:
                cells.add(cell)
                if other not in seen:
                    seen.add(other)
                    used.add(cell)
                    tree.append((node, other, cell))
                    queue.append(other)
        others = [(cell[0], -(cell[1] + 1), cell) for cell in sorted(cells - used)]
        components.append((tree, others))
    return components


class _Graph:
    """One family's withheld cells as a flow network, kept up to date as cells are withheld.

    Row r is node r, column c is node -(c + 1). Flow from row to column along cell (r, c) raises
    y = s·x: it is bounded by how far the count may fall where that lowers it (s = -1), and the
    reverse flow where s = +1; the other way is unbounded.
    """

    def __init__(self, member: np.ndarray, low: np.ndarray, sign: np.ndarray):
        self.member, self.low, self.sign = member, low, sign
        self.arcs: dict[int, dict[int, int]] = {}
        # Per node: the arcs of cells that could be withheld, as (node, cost, cell).
        self._candidates: dict[int, list[tuple[int, int, _Cell]]] | None = None

    def _caps(self, r: int, c: int) -> tuple[int, int]:
        v = int(self.low[r, c])
        return (_INF, v) if self.sign[r, c] > 0 else (v, _INF)

    def add(self, cell: tuple[int, int]) -> None:
        if self.member[cell]:
            r, c = cell
            forward, backward = self._caps(r, c)
            self.arcs.setdefault(r, {})[-(c + 1)] = forward
            self.arcs.setdefault(-(c + 1), {})[r] = backward

    def remove(self, cell: tuple[int, int]) -> None:
        r, c = cell
        self.arcs.get(r, {}).pop(-(c + 1), None)
        self.arcs.get(-(c + 1), {}).pop(r, None)

    def _without(self, cell: tuple[int, int]) -> dict[int, dict[int, int]]:
        residual = {u: dict(vs) for u, vs in self.arcs.items()}
        r, c = cell
        residual.get(r, {}).pop(-(c + 1), None)
        residual.get(-(c + 1), {}).pop(r, None)
        return residual

    def ranges(
        self, cell: tuple[int, int], cap: int | None
    ) -> tuple[int, int, dict[int, dict[int, int]]]:
        """(up, down, the residual graph of the rising flow) for `cell`, each capped at `cap`
        when given (``_INF`` for no limit)."""
        rising, falling = _ends(cell, self.sign)
        # It cannot fall below its floor: no flow beyond that is needed, nor, rising, beyond
        # what together makes `cap`.
        room = int(self.low[cell]) if cap is None else min(int(self.low[cell]), cap)
        down = _flow(self._without(cell), *falling, room) if room > 0 else 0
        residual = self._without(cell)
        up = _flow(residual, *rising, None if cap is None else max(cap - down, 0))
        return up, down, residual

    def cheapest_path(
        self,
        residual: dict[int, dict[int, int]],
        cell: tuple[int, int],
        suppressed: np.ndarray,
        cost: np.ndarray,
    ) -> list[tuple[int, int]]:
        """The cells not yet withheld on the cheapest path that would let `cell` rise further:
        Dijkstra from the rising flow's source to its sink over the residual arcs of the
        withheld cells (free) and the arcs of the cells that could be withheld (their cost)."""
        if self._candidates is None:
            self._candidates = {}
            rows, cols = np.nonzero(self.member)
            for r, c, price in zip(
                rows.tolist(), cols.tolist(), cost[rows, cols].tolist(), strict=True
            ):
                forward, backward = self._caps(r, c)
                if forward > 0:
                    self._candidates.setdefault(r, []).append((-(c + 1), price, (r, c)))
                if backward > 0:
                    self._candidates.setdefault(-(c + 1), []).append((r, price, (r, c)))
        source, sink = _ends(cell, self.sign)[0]
        best = {source: 0}
        via: dict[int, tuple[int, tuple[int, int] | None]] = {}
        heap = [(0, source)]
        while heap:
            d, u = heapq.heappop(heap)
            if u == sink:
                break
            if d > best.get(u, _INF):
                continue
            steps: list[tuple[int, int, _Cell | None]] = [
                (v, 0, None) for v, c in residual.get(u, {}).items() if c > 0
            ]
            steps += [
                step
                for step in self._candidates.get(u, [])
                if step[2] != cell and not suppressed[step[2]]
            ]
            for v, price, new in steps:
                if d + price < best.get(v, _INF):
                    best[v] = d + price
                    via[v] = (u, new)
                    heapq.heappush(heap, (d + price, v))
        if sink not in best:
            return []
        path: list[_Cell] = []
        node = sink
        while node != source:
            node, new = via[node]
            if new is not None:
                path.append(new)
        return path


def _flow(residual: dict[int, dict[int, int]], source: int, sink: int, cap: int | None) -> int:
    """Edmonds-Karp on a small graph, in place on `residual`; stops once the flow reaches
    `cap` (None: no cap)."""
    # Every edge has an arc each way, so the residual graph needs no arcs added.
    flow = 0
    while cap is None or flow < cap:
        parent: dict[int, int | None] = {source: None}
        queue = deque([source])
        while queue and sink not in parent:
            u = queue.popleft()
            for v, c in residual.get(u, {}).items():
                if c > 0 and v not in parent:
                    parent[v] = u
                    queue.append(v)
        if sink not in parent:
            break
        path: list[tuple[int, int]] = []
        v = sink
        while (before := parent[v]) is not None:
            path.append((before, v))
            v = before
        push = min(residual[u][v] for u, v in path)
        if cap is not None:
            push = min(push, cap - flow)
        if push >= _INF:
            return _INF
        for u, v in path:
            residual[u][v] -= push
            residual[v][u] += push
        flow += push
    return flow


def _ends(cell: tuple[int, int], sign: np.ndarray) -> tuple[tuple[int, int], tuple[int, int]]:
    """(source, sink) of the flows that raise and that lower `cell`: the flow runs along the
    cell's own edge and back round a cycle of the other withheld cells."""
    row_node, col_node = cell[0], -(cell[1] + 1)
    if sign[cell] > 0:
        return (col_node, row_node), (row_node, col_node)
    return (row_node, col_node), (col_node, row_node)


def _shift_range(
    member: np.ndarray,
    low: np.ndarray,
    sign: np.ndarray,
    cell: tuple[int, int],
    cap: int | None,
) -> tuple[int, int]:
    """How far `cell` can rise and fall with every published figure unchanged and no count
    below its floor, the withheld cells being `member`: (up, down), each capped at `cap` when
    given (``_INF`` for no limit)."""
    graph = _Graph(member, low, sign)
    for r, c in zip(*np.nonzero(member), strict=True):
        graph.add((int(r), int(c)))
    up, down, _ = graph.ranges(cell, cap)
    return up, down


def _rectangles(
    cell: tuple[int, int],
    low: np.ndarray,
    sign: np.ndarray,
) -> np.ndarray:
    """The width of the shift along each rectangle with `cell` as one corner: array over the
    opposite corner (r', c'); 0 where r' = r or c' = c."""
    r, c = cell
    inf = float("inf")
    lowf = low.astype(float)
    # Corner coefficients e (the change of x per unit shift): a = cell and d = (r', c') by +1,
    # b = (r, c') and c = (r', c) by -1 in y = s·x.
    e_a = sign[r, c]
    e_b = -sign[r, :][None, :]
    e_c = -sign[:, c][:, None]
    e_d = sign
    v_a = lowf[r, c]
    v_b = lowf[r, :][None, :]
    v_c = lowf[:, c][:, None]
    v_d = lowf
    up = np.full(low.shape, inf)
    down = np.full(low.shape, inf)
    for e, v in ((e_a, v_a), (e_b, v_b), (e_c, v_c), (e_d, v_d)):
        e = np.broadcast_to(e, low.shape)
        v = np.broadcast_to(v, low.shape)
        up = np.where(e < 0, np.minimum(up, v), up)
        down = np.where(e > 0, np.minimum(down, v), down)
    width: np.ndarray = up + down
    width[r, :] = 0
    width[:, c] = 0
    return width


def protect(
    table: ArrayLike,
    threshold: int = DEFAULT_THRESHOLD,
    *,
    layers: Sequence[ArrayLike] = (),
    floors: Sequence[ArrayLike] | None = None,
) -> ProtectedTable:
    """Primary and secondary suppression of a two-way table of counts and its totals.

    Parameters
    ----------
    table : array_like of int, shape (R, C)
        Non-negative counts (rows × columns, without totals; the totals are published).
    threshold : int
        Counts from 1 to ``threshold - 1`` are withheld, and every withheld cell's range of
        possible values is made at least this wide.
    layers : sequence of array_like
        Further tables of the same shape published with the same pattern, each cell no larger
        than the main table's (e.g. distinct records beside all records).
    floors : sequence of array_like, optional
        For the table and each layer, the least value a reader knows each inner cell has
        (default 1 for a count above zero, since zero is shown): a cell pooling several rows,
        each shown to hold records, has at least as many.

    Returns
    -------
    ProtectedTable

    Examples
    --------
    A 2 beside published row and column totals needs three more cells withheld, chosen so
    that the 2 could be anything from 1 to 9 (a withheld count is at least 1: zero is shown):

    >>> t = protect([[2, 10, 9], [8, 12, 11]], threshold=5)
    >>> t.published()
    [[None, 10, None, 21], [None, 12, None, 31], [10, 22, 20, 52]]
    >>> t.intervals()[(0, 0)]
    (1, 9)
    >>> t.box([0, 1], [0, 1]), t.box([0], [0, 1]) is None
    (32, True)
    """
    main = np.asarray(table, dtype=np.int64)
    if main.ndim != 2:
        raise ValueError("a table of counts has rows and columns")
    stack = [main, *(np.asarray(x, dtype=np.int64) for x in layers)]
    for x in stack:
        if x.shape != main.shape:
            raise ValueError(f"a layer of shape {x.shape} beside a table of shape {main.shape}")
        if (x < 0).any():
            raise ValueError("counts cannot be negative")
    if threshold < 1:
        raise ValueError("the threshold is a count of at least 1")
    values = np.stack([_extend(x) for x in stack])
    given: list[np.ndarray | None] = (
        [None] * len(stack) if floors is None else [np.asarray(f, np.int64) for f in floors]
    )
    if len(given) != len(stack):
        raise ValueError(f"{len(given)} floors for {len(stack)} tables")
    known = np.stack([_floor(x, f) for x, f in zip(stack, given, strict=True)])
    rows, cols = main.shape
    sign = _signs(rows, cols)
    primary = np.asarray(((values > 0) & (values < threshold)).any(axis=0))
    families = _families(values, known)
    weight = np.full(sign.shape, _WEIGHT_INNER, dtype=np.int64)
    weight[:rows, cols] = _WEIGHT_ROW_TOTAL
    weight[rows, :cols] = _WEIGHT_COLUMN_TOTAL
    weight[rows, cols] = _WEIGHT_GRAND
    cost = weight * (values[0] + 1)
    suppressed = primary.copy()
    order = sorted(
        (
            (int(values[:, r, c].min()), int(weight[r, c]), int(r), int(c))
            for r, c in zip(*np.nonzero(primary), strict=True)
        )
    )
    graphs = [_Graph(m, lo, sign) for m, lo in families]
    for r, c in zip(*np.nonzero(suppressed), strict=True):
        for graph in graphs:
            graph.add((int(r), int(c)))
    for _, _, r, c in order:
        cell = (r, c)
        index = next(i for i, (m, _) in enumerate(families) if m[cell])
        member, low = families[index]
        graph = graphs[index]
        widths = _rectangles(cell, low, sign)
        if (widths[_corner_mask(cell, suppressed & member)] >= threshold).any():
            continue  # a withheld rectangle already hides it
        while True:
            up, down, residual = graph.ranges(cell, threshold)
            if up + down >= threshold:
                break
            # Withhold the cheapest cells that let it rise by at least one more: the path
            # through the totals always exists, so this ends within `threshold` rounds.
            path = graph.cheapest_path(residual, cell, suppressed, cost)
            if not path:  # pragma: no cover (the totals' path is unbounded)
                raise AssertionError(f"nothing can hide cell {cell}")
            for new in path:
                suppressed[new] = True
                for g in graphs:
                    g.add(new)
    # A withheld cell that no shift used above can move is determined by what is published:
    # publishing it changes nothing an attacker can deduce, and no cell is withheld for nothing.
    # The same for a further layer, which only the shift of every layer at once moves.
    hidden = suppressed[None, :, :] & (values > 0)
    for r, c in zip(*np.nonzero(suppressed & ~primary), strict=True):
        cell = (int(r), int(c))
        moves = [
            bool(m[cell]) and sum(graph.ranges(cell, 1)[:2]) > 0
            for (m, _), graph in zip(families, graphs, strict=True)
        ]
        if not any(moves):
            suppressed[cell] = False
            hidden[:, r, c] = False
            for graph in graphs:
                graph.remove(cell)
        elif not moves[0]:
            hidden[1:, r, c] = False
    return ProtectedTable(
        values=values,
        primary=primary,
        suppressed=suppressed,
        threshold=threshold,
        floors=known,
        hidden=hidden,
    )


def _floor(table: np.ndarray, floor: np.ndarray | None) -> np.ndarray:
    """The extended table of least known values: inner cells as given (default 1 above
    zero), totals 1 above zero (more is implied by their cells, which the shifts respect)."""
    out = (_extend(table) > 0).astype(np.int64)
    if floor is not None:
        if floor.shape != table.shape or (floor > table).any() or (floor < 0).any():
            raise ValueError("each floor lies between zero and its count")
        rows, cols = table.shape
        out[:rows, :cols] = np.where(table > 0, np.maximum(floor, 1), 0)
    return out


def _families(values: np.ndarray, known: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """The kinds of change an attacker cannot rule out, as (cells they may move, how far each
    may fall). A withheld cell is known to be at least its floor (1: zero is always shown).

    First, every layer shifted alike: cells where every layer is above zero, each falling to
    its floor in the layer with least room (the layers stay in order). Second, with more than
    one layer, the main layer alone (for a cell whose other layers are zero, hence shown):
    each cell falling no lower than its other layers, nor below its floor.
    """
    positive = np.asarray((values > 0).all(axis=0))
    room = (values - known).min(axis=0)
    families = [(positive, np.where(positive, room, 0))]
    if values.shape[0] > 1:
        main = values[0] > 0
        floor = np.maximum(values[1:].max(axis=0), known[0])
        families.append((main, np.where(main, values[0] - floor, 0)))
    return families


def _corner_mask(cell: tuple[int, int], allowed: np.ndarray) -> np.ndarray:
    """Where (r', c') makes a rectangle with `cell` whose other three corners are `allowed`."""
    r, c = cell
    ok: np.ndarray = allowed & allowed[r, :][None, :] & allowed[:, c][:, None]
    ok = ok.copy()
    ok[r, :] = False
    ok[:, c] = False
    return ok


#: The row that stands, in a period, for every row holding too few records to be shown alone.
POOLED = "(other areas)"


@dataclass
class PublicationGrid:
    """Tables of the same rows and columns, one per period, each protected on its own.

    Build it with `PublicationGrid.build`; ask it for sums over any periods, rows and columns
    with `box`, which answers only what the protected tables determine exactly. In each
    period, rows holding fewer than ``pool_below`` records are shown only together, as one row
    (`POOLED`): a table of many near-empty rows (records placed far outside the area, say)
    could otherwise be protected only by withholding the totals that matter.
    """

    rows: list[Hashable]
    columns: list[Hashable]
    tables: dict[Hashable, tuple[np.ndarray, np.ndarray, ProtectedTable, frozenset[Hashable]]]
    threshold: int
    _row_at: dict[Hashable, int] | None = field(default=None, repr=False)
    _col_at: dict[Hashable, int] | None = field(default=None, repr=False)

    @classmethod
    def build(
        cls,
        cells: Iterable[tuple[Hashable, Hashable, Hashable, Sequence[int]]],
        threshold: int = DEFAULT_THRESHOLD,
        pool_below: int | None = None,
    ) -> PublicationGrid:
        """From (period, row, column, counts) tuples, `counts` one value per layer. Each
        period's table holds the rows and columns that have a record in that period; rows with
        fewer than `pool_below` records in a period (default four times the threshold) are
        pooled in it."""
        pool_below = 4 * threshold if pool_below is None else pool_below
        by_period: dict[Hashable, dict[tuple[Hashable, Hashable], np.ndarray]] = {}
        for period, row, column, given in cells:
            by_period.setdefault(period, {})[(row, column)] = np.asarray(given, dtype=np.int64)
        all_rows = sorted({r for p in by_period.values() for r, _ in p}, key=_order)
        all_rows.append(POOLED)
        all_cols = sorted({c for p in by_period.values() for _, c in p}, key=_order)
        row_index = {r: i for i, r in enumerate(all_rows)}
        col_index = {c: i for i, c in enumerate(all_cols)}
        tables: dict[
            Hashable, tuple[np.ndarray, np.ndarray, ProtectedTable, frozenset[Hashable]]
        ] = {}
        for period, found in by_period.items():
            totals: dict[Hashable, int] = {}
            for (r, _), counts in found.items():
                totals[r] = totals.get(r, 0) + int(counts[0])
            pooled = frozenset(r for r, n in totals.items() if n < pool_below)
            if len(pooled) == 1:
                pooled = frozenset()  # a pool of one is no pool: protect the row itself
            merged: dict[tuple[Hashable, Hashable], np.ndarray] = {}
            # A pooled cell holds at least one record for each of its rows shown to have one.
            shown: dict[tuple[Hashable, Hashable], np.ndarray] = {}
            for (r, c), counts in found.items():
                key = (POOLED if r in pooled else r, c)
                merged[key] = merged.get(key, 0) + counts
                shown[key] = shown.get(key, 0) + (counts > 0)
            prow = np.array(sorted({row_index[r] for r, _ in merged}), dtype=int)
            pcol = np.array(sorted({col_index[c] for _, c in merged}), dtype=int)
            at_row = {g: i for i, g in enumerate(prow)}
            at_col = {g: i for i, g in enumerate(pcol)}
            n_layers = len(next(iter(merged.values())))
            stack = np.zeros((n_layers, len(prow), len(pcol)), dtype=np.int64)
            floors = np.zeros_like(stack)
            for (r, c), counts in merged.items():
                stack[:, at_row[row_index[r]], at_col[col_index[c]]] = counts
                floors[:, at_row[row_index[r]], at_col[col_index[c]]] = shown[(r, c)]
            protected = protect(stack[0], threshold, layers=list(stack[1:]), floors=list(floors))
            tables[period] = (prow, pcol, protected, pooled)
        return cls(rows=all_rows, columns=all_cols, tables=tables, threshold=threshold)

    def box(
        self,
        periods: Iterable[Hashable],
        rows: Iterable[Hashable] | None = None,
        columns: Iterable[Hashable] | None = None,
        layer: int = 0,
    ) -> int | None:
        """The count over `periods` × `rows` × `columns` (None: all), or None when any period's
        part cannot be worked out exactly from that period's published table (a pooled row is
        known only whole)."""
        wanted = None if rows is None else {r for r in rows if r in self._rows}
        want_cols = None if columns is None else [self._cols[c] for c in columns if c in self._cols]
        total = 0
        for period in periods:
            if period not in self.tables:
                continue
            prow, pcol, table, pooled = self.tables[period]
            if wanted is None:
                rmask = np.ones(len(prow), bool)
            else:
                inside = pooled & wanted
                if inside and inside != pooled:
                    return None
                keys = [self._rows[r] for r in wanted - pooled]
                if inside:
                    keys.append(self._rows[POOLED])
                rmask = np.isin(prow, keys)
            cmask = np.ones(len(pcol), bool) if want_cols is None else np.isin(pcol, want_cols)
            part = table.box(rmask, cmask, layer)
            if part is None:
                return None
            total += part
        return total

    @property
    def _rows(self) -> Mapping[Hashable, int]:
        if self._row_at is None:
            self._row_at = {r: i for i, r in enumerate(self.rows)}
        return self._row_at

    @property
    def _cols(self) -> Mapping[Hashable, int]:
        if self._col_at is None:
            self._col_at = {c: i for i, c in enumerate(self.columns)}
        return self._col_at


def _order(key: object) -> tuple[object, ...]:
    # Rows and columns may be tuples holding None (no district): sort None last, stably.
    if isinstance(key, tuple):
        return tuple(_order(k) for k in key)
    return (key is None, "" if key is None else str(key))
