"""Spatial units and who neighbours whom: BNG projection, regular grids, contiguity weights.

Hot-spot statistics need two things: a set of units with a value each (LSOAs or the cells of a
regular grid) and binary spatial weights saying which units are neighbours. Everything here
returns weights as a ``scipy.sparse.csr_matrix`` of 0/1 with an empty diagonal (the focal unit is
added by the Gi* code, which uses ``star=True``). Distances are in metres on the British National
Grid (EPSG:27700), the projection Ordnance Survey uses for Great Britain.

Polygon contiguity is computed with shapely rather than libpysal's shared-vertex rule because
the published LSOA boundaries are generalised one polygon at a time: neighbouring polygons rarely
share exact vertices (libpysal's ``Queen`` finds every Lancashire LSOA an island), but their
edges lie within centimetres of each other. Two polygons are queen neighbours here when they lie
within :data:`CONTIGUITY_TOLERANCE_M` metres of each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from scipy import sparse

__all__ = [
    "BNG",
    "CONTIGUITY_TOLERANCE_M",
    "MAX_CELLS",
    "MAX_MEMORY_BYTES",
    "Grid",
    "GridTooLargeError",
    "check_grid_size",
    "grid_distance_band",
    "grid_queen",
    "from_bng",
    "polygon_queen",
    "project_to_bng",
    "project_to_wgs84",
    "to_bng",
    "to_libpysal",
]

#: British National Grid, metres.
BNG = "EPSG:27700"
#: Polygons closer than this (metres) count as touching (generalised boundaries leave slivers).
CONTIGUITY_TOLERANCE_M = 1.0
#: A grid may hold at most this many cells, whatever the memory.
MAX_CELLS = 4_000_000
#: Memory a grid analysis may use (weights, counts, permutation work space), in bytes.
MAX_MEMORY_BYTES = 2_000_000_000
# Bytes per cell per stored neighbour (CSR index + value) and per cell for the per-cell arrays.
_BYTES_PER_LINK = 4 + 8
_BYTES_PER_CELL = 8 * 24


class GridTooLargeError(ValueError):
    """A grid that would need more memory (or more cells) than allowed."""


#: Shapely geometries, as a sequence or an object array.
Geometries = Sequence[object] | npt.NDArray[np.object_]


@lru_cache(maxsize=4)
def _transformer(source: str, target: str) -> Any:  # a pyproj Transformer
    from pyproj import Transformer

    return Transformer.from_crs(source, target, always_xy=True)


def to_bng(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Project WGS84 longitude/latitude to British National Grid easting/northing in metres.

    Parameters
    ----------
    lon, lat : array_like
        Degrees (EPSG:4326), same shape.

    Returns
    -------
    x, y : numpy.ndarray
        Easting and northing (EPSG:27700), metres.

    Examples
    --------
    >>> x, y = to_bng([-2.7], [53.76])  # Preston
    >>> round(float(x[0]), -2), round(float(y[0]), -2)
    (353900.0, 429500.0)
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    if lon.shape != lat.shape:
        raise ValueError(f"lon and lat must have the same shape, got {lon.shape} and {lat.shape}")
    # pyproj tries a one-element array as a scalar point first (and NumPy warns): pad with two
    # dummy points so it never has fewer than two, then drop them.
    flat_lon = np.append(lon.ravel(), [0.0, 0.0])
    flat_lat = np.append(lat.ravel(), [51.5, 51.5])
    x, y = _transformer("EPSG:4326", BNG).transform(flat_lon, flat_lat)
    return (
        np.asarray(x, dtype=float)[:-2].reshape(lon.shape),
        np.asarray(y, dtype=float)[:-2].reshape(lat.shape),
    )


def from_bng(x: npt.ArrayLike, y: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """British National Grid easting/northing (metres) back to WGS84 longitude/latitude.

    Examples
    --------
    >>> lon, lat = from_bng(*to_bng([-2.7], [53.76]))
    >>> round(float(lon[0]), 6), round(float(lat[0]), 6)
    (-2.7, 53.76)
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.shape != y.shape:
        raise ValueError(f"x and y must have the same shape, got {x.shape} and {y.shape}")
    lon, lat = _transformer(BNG, "EPSG:4326").transform(
        np.append(x.ravel(), [400000.0, 400000.0]), np.append(y.ravel(), [300000.0, 300000.0])
    )
    return (
        np.asarray(lon, dtype=float)[:-2].reshape(x.shape),
        np.asarray(lat, dtype=float)[:-2].reshape(y.shape),
    )


def project_to_wgs84(geometries: Geometries) -> npt.NDArray[np.object_]:
    """Shapely geometries on the British National Grid back to longitude/latitude (GeoJSON).

    Examples
    --------
    >>> cell = Grid(353000, 429000, 1000, 1, 1).polygons()
    >>> [round(v, 3) for v in project_to_wgs84(cell)[0].bounds]
    [-2.714, 53.755, -2.699, 53.764]
    """

    def _project(coords: np.ndarray) -> np.ndarray:
        lon, lat = from_bng(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    projected: npt.NDArray[np.object_] = shapely.transform(
        np.asarray(geometries, dtype=object), _project
    )
    return projected


def project_to_bng(geometries: Geometries) -> npt.NDArray[np.object_]:
    """Shapely geometries in WGS84 longitude/latitude projected to British National Grid.

    Examples
    --------
    >>> from shapely import Point
    >>> [round(c, -2) for c in project_to_bng([Point(-2.7, 53.76)])[0].coords[0]]
    [353900.0, 429500.0]
    """

    def _project(coords: np.ndarray) -> np.ndarray:
        x, y = to_bng(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    projected: npt.NDArray[np.object_] = shapely.transform(
        np.asarray(geometries, dtype=object), _project
    )
    return projected


def _memory_needed(n_cells: int, links_per_cell: float) -> int:
    return int(n_cells * (_BYTES_PER_CELL + links_per_cell * _BYTES_PER_LINK))


def _human_bytes(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1000
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Grid:
    """A regular grid of square cells on the British National Grid.

    Cells are numbered row by row from the south-west corner: cell ``row * nx + col`` covers
    ``[x0 + col * cell_size, x0 + (col + 1) * cell_size)`` east-west and the same north-south.

    Parameters
    ----------
    x0, y0 : float
        South-west corner, metres (EPSG:27700).
    cell_size : float
        Side of a cell, metres.
    nx, ny : int
        Number of columns and rows.

    Examples
    --------
    >>> g = Grid(x0=350000, y0=420000, cell_size=500, nx=4, ny=3)
    >>> g.n_cells, g.cell_of([350100, 351600], [420100, 421400]).tolist()
    (12, [0, 11])
    """

    x0: float
    y0: float
    cell_size: float
    nx: int
    ny: int

    def __post_init__(self) -> None:
        if not self.cell_size > 0:
            raise ValueError(f"cell size must be a positive number of metres, got {self.cell_size}")
        if self.nx < 1 or self.ny < 1:
            raise ValueError(f"a grid needs at least one row and column, got {self.nx} × {self.ny}")

    @property
    def n_cells(self) -> int:
        return self.nx * self.ny

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """``(xmin, ymin, xmax, ymax)`` in metres."""
        return (
            self.x0,
            self.y0,
            self.x0 + self.nx * self.cell_size,
            self.y0 + self.ny * self.cell_size,
        )

    @classmethod
    def covering(
        cls,
        x: npt.ArrayLike,
        y: npt.ArrayLike,
        cell_size: float,
        *,
        shape: tuple[int, int] | None = None,
        max_memory_bytes: int = MAX_MEMORY_BYTES,
    ) -> Grid:
        """The grid that covers points ``x, y`` (metres), refusing one too large to analyse.

        Parameters
        ----------
        x, y : array_like
            Point coordinates in metres (EPSG:27700).
        cell_size : float
            Side of a cell in metres. Ignored when ``shape`` is given.
        shape : (nx, ny), optional
            Ask for exactly this many columns and rows instead: the cell size is then the one
            that makes the grid cover the points (the larger of width / nx and height / ny).
        max_memory_bytes : int
            Refuse a grid whose analysis would need more than this many bytes.

        Raises
        ------
        ValueError
            No points, or all points at one location.
        GridTooLargeError
            The grid would need more memory than ``max_memory_bytes``; the message gives the size.

        Examples
        --------
        >>> g = Grid.covering([0, 999], [0, 1999], 500)
        >>> (g.nx, g.ny, g.cell_size)
        (2, 4, 500.0)
        """
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        if x.size == 0:
            raise ValueError("no points: the period selected has no records with coordinates")
        if not (np.isfinite(x).all() and np.isfinite(y).all()):
            raise ValueError("point coordinates must be finite numbers (metres, EPSG:27700)")
        xmin, xmax, ymin, ymax = x.min(), x.max(), y.min(), y.max()
        if xmin == xmax and ymin == ymax:
            raise ValueError(
                f"all {x.size:,} points are at one location ({xmin:.0f}, {ymin:.0f}): "
                "a grid of hot-spots needs points at two or more places"
            )
        if shape is not None:
            nx, ny = int(shape[0]), int(shape[1])
            # Nudge up so the maximum point falls inside the last cell, not on its far edge.
            cell_size = max((xmax - xmin) / nx, (ymax - ymin) / ny) * (1 + 1e-9)
        else:
            cell_size = float(cell_size)
            if not cell_size > 0:
                raise ValueError(f"cell size must be a positive number of metres, got {cell_size}")
            nx = int(np.floor((xmax - xmin) / cell_size)) + 1
            ny = int(np.floor((ymax - ymin) / cell_size)) + 1
        check_grid_size(nx, ny, cell_size, max_memory_bytes=max_memory_bytes)
        return cls(float(xmin), float(ymin), float(cell_size), nx, ny)

    def cell_of(self, x: npt.ArrayLike, y: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """Cell number of each point, or -1 for a point outside the grid."""
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        col = np.floor((x - self.x0) / self.cell_size)
        row = np.floor((y - self.y0) / self.cell_size)
        inside = (col >= 0) & (col < self.nx) & (row >= 0) & (row < self.ny)
        out = np.full(x.shape, -1, dtype=np.int64)
        out[inside] = (row[inside] * self.nx + col[inside]).astype(np.int64)
        return out

    def counts(
        self, x: npt.ArrayLike, y: npt.ArrayLike, weights: npt.ArrayLike | None = None
    ) -> npt.NDArray[np.float64]:
        """Number of points (or sum of ``weights``) in each cell; points outside are ignored."""
        cells = self.cell_of(x, y)
        inside = cells >= 0
        w = None if weights is None else np.asarray(weights, dtype=float)[inside]
        return np.bincount(cells[inside], weights=w, minlength=self.n_cells).astype(float)

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """Easting and northing of every cell's centre, in cell order."""
        col = np.arange(self.n_cells) % self.nx
        row = np.arange(self.n_cells) // self.nx
        return (
            self.x0 + (col + 0.5) * self.cell_size,
            self.y0 + (row + 0.5) * self.cell_size,
        )

    def polygons(self, cells: npt.ArrayLike | None = None) -> npt.NDArray[np.object_]:
        """Shapely squares (EPSG:27700) for ``cells`` (default all), for maps and GeoJSON."""
        cells = np.arange(self.n_cells) if cells is None else np.asarray(cells, dtype=np.int64)
        col = cells % self.nx
        row = cells // self.nx
        xmin = self.x0 + col * self.cell_size
        ymin = self.y0 + row * self.cell_size
        boxes: npt.NDArray[np.object_] = shapely.box(
            xmin, ymin, xmin + self.cell_size, ymin + self.cell_size
        )
        return boxes


def check_grid_size(
    nx: int,
    ny: int,
    cell_size: float,
    *,
    links_per_cell: int = 8,
    max_memory_bytes: int = MAX_MEMORY_BYTES,
) -> None:
    """Refuse a grid whose analysis would not fit in memory, saying how much it would need.

    The estimate counts the weights (``links_per_cell`` neighbours a cell: 8 for queen
    contiguity) and the per-cell arrays of a Gi* run; the permutation work space is chunked and
    does not grow with the grid.

    Raises
    ------
    GridTooLargeError
        With the grid's shape, cell count and the memory it would need.
    """
    n = int(nx) * int(ny)
    need = _memory_needed(n, links_per_cell)
    if n > MAX_CELLS or need > max_memory_bytes:
        raise GridTooLargeError(
            f"a grid of {nx:,} × {ny:,} cells of {cell_size:,.0f} m ({n:,} cells) would need about "
            f"{_human_bytes(need)} of memory; the limit is {_human_bytes(max_memory_bytes)} "
            f"and {MAX_CELLS:,} cells: choose larger cells or a smaller area"
        )


def _offsets_weights(grid: Grid, offsets: list[tuple[int, int]]) -> sparse.csr_matrix:
    check_grid_size(grid.nx, grid.ny, grid.cell_size, links_per_cell=len(offsets))
    nx, ny = grid.nx, grid.ny
    n = grid.n_cells
    col = np.arange(n) % nx
    row = np.arange(n) // nx
    rows, cols = [], []
    for dc, dr in offsets:
        c2 = col + dc
        r2 = row + dr
        ok = (c2 >= 0) & (c2 < nx) & (r2 >= 0) & (r2 < ny)
        rows.append(np.flatnonzero(ok))
        cols.append((r2 * nx + c2)[ok])
    i = np.concatenate(rows) if rows else np.empty(0, dtype=np.int64)
    j = np.concatenate(cols) if cols else np.empty(0, dtype=np.int64)
    adj = sparse.csr_matrix((np.ones(i.size), (i, j)), shape=(n, n))
    adj.sort_indices()
    return adj


def grid_queen(grid: Grid) -> sparse.csr_matrix:
    """Queen contiguity on a grid: the (up to) 8 cells sharing an edge or a corner.

    Returns
    -------
    scipy.sparse.csr_matrix
        ``n_cells × n_cells`` binary weights, empty diagonal.

    Examples
    --------
    >>> w = grid_queen(Grid(0, 0, 100, 3, 3))
    >>> w.sum(axis=1).A1.astype(int).tolist()
    [3, 5, 3, 5, 8, 5, 3, 5, 3]
    """
    offsets = [(dc, dr) for dc in (-1, 0, 1) for dr in (-1, 0, 1) if (dc, dr) != (0, 0)]
    return _offsets_weights(grid, offsets)


def grid_distance_band(grid: Grid, distance: float) -> sparse.csr_matrix:
    """Distance-band weights on a grid: cells whose centres are within ``distance`` metres.

    Examples
    --------
    >>> w = grid_distance_band(Grid(0, 0, 100, 5, 5), 150)  # centre distance 100 or 141 m
    >>> int(w[12].sum())
    8
    """
    if not distance > 0:
        raise ValueError(f"the distance band must be a positive number of metres, got {distance}")
    reach = int(np.floor(distance / grid.cell_size))
    offsets = [
        (dc, dr)
        for dc in range(-reach, reach + 1)
        for dr in range(-reach, reach + 1)
        if (dc, dr) != (0, 0) and np.hypot(dc, dr) * grid.cell_size <= distance
    ]
    if not offsets:
        raise ValueError(
            f"a distance band of {distance} m is shorter than the {grid.cell_size} m cell size: "
            "no cell would have a neighbour"
        )
    return _offsets_weights(grid, offsets)


def polygon_queen(
    geometries: Geometries, *, tolerance: float = CONTIGUITY_TOLERANCE_M
) -> sparse.csr_matrix:
    """Queen contiguity between polygons: neighbours when they touch (within ``tolerance``).

    Parameters
    ----------
    geometries : sequence of shapely geometries
        Polygons in a projected coordinate system in metres (use :func:`to_bng` first).
    tolerance : float
        Polygons closer than this many metres count as touching.

    Returns
    -------
    scipy.sparse.csr_matrix
        Binary weights, empty diagonal, in the order of ``geometries``.

    Examples
    --------
    >>> from shapely import box
    >>> w = polygon_queen([box(0, 0, 1, 1), box(1, 1, 2, 2), box(5, 5, 6, 6)])
    >>> w.toarray().astype(int).tolist()
    [[0, 1, 0], [1, 0, 0], [0, 0, 0]]
    """
    geoms = np.asarray(geometries, dtype=object)
    n = geoms.size
    if n == 0:
        raise ValueError("no polygons: contiguity needs at least one area")
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="dwithin", distance=tolerance)
    keep = left != right
    adj = sparse.csr_matrix((np.ones(int(keep.sum())), (left[keep], right[keep])), shape=(n, n))
    adj = ((adj + adj.T) > 0).astype(float).tocsr()
    adj.sort_indices()
    return adj


def to_libpysal(adjacency: sparse.spmatrix) -> Any:  # a libpysal W
    """The same weights as a libpysal ``W`` (binary), e.g. to run esda beside our code."""
    from libpysal.weights import WSP

    return WSP(sparse.csr_matrix(adjacency)).to_W(silence_warnings=True)
