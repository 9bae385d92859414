"""Disclosure control (cdrp.analysis.disclosure, applied by cdrp.accounts.policy): primary and
secondary suppression, checked the way an attacker would attack it.

The attacker writes down everything that is published as linear constraints (published cells
and totals, every public answer over many periods and breakdowns, each withheld count at least
1 because zero is shown, distinct records never more than all records) and asks a linear
programme (scipy's HiGHS) for the least and the greatest value of each withheld count; a count
is recovered when the two meet. The linear programmes are written here, independently of the
module, whose own flow-based audit is checked against them.
"""

from __future__ import annotations

import functools
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from cdrp.accounts.models import ApiToken
from cdrp.analysis.disclosure import POOLED, PublicationGrid, protect

STREET = "data/demo/police-uk-street-lancashire"
SOUTH = ["E07000118", "E07000126", "E07000127"]  # Chorley, South Ribble, West Lancashire


# -- an attacker's linear programme -------------------------------------------------------------


class Attacker:
    """Unknown counts, and what is published about them, as a linear programme."""

    def __init__(self):
        self.names: dict = {}
        self.lower: list[int] = []
        self.equations: set[tuple[tuple[tuple[int, int], ...], int]] = set()
        self.links: list[tuple[int, int]] = []
        self.links_to_value: list[tuple[int, int]] = []  # (unknown, a published bound above)
        self.enough: int | None = None
        self.exact = 0  # targets whose range was computed exactly

    def unknown(self, name, at_least: int = 1) -> int:
        if name not in self.names:
            self.names[name] = len(self.lower)
            self.lower.append(at_least)
        return self.names[name]

    def publish(self, terms: dict, value: int) -> None:
        """Published: sum of coefficient × unknown over `terms` ({index: coefficient}) is
        `value`."""
        terms = {k: v for k, v in terms.items() if v}
        if terms:
            self.equations.add((tuple(sorted(terms.items())), int(value)))
        else:
            assert value == 0, "a published figure contradicts the ones it sums"

    def at_most(self, smaller, larger) -> None:
        if smaller in self.names and larger in self.names:
            self.links.append((self.names[smaller], self.names[larger]))

    def ranges(self, targets, confirm_below: int = 0, enough: int | None = None) -> dict:
        """(least, greatest) of each target (greatest None: unbounded). Ranges narrower than
        `confirm_below` are recomputed over the integers (a mixed-integer programme). Unknowns
        that share no constraint are solved apart (the same answers, in smaller programmes).

        With `enough`, a target is first tried on a few feasible points (optima of random
        objectives): once two of them differ by `enough` in it, its range is at least that wide
        and (least, greatest) are those two values, lower bounds of the true range's width.
        The others get their exact range."""
        self.enough = enough
        n = len(self.lower)
        parent = list(range(n))

        def find(k):
            while parent[k] != k:
                parent[k] = parent[parent[k]]
                k = parent[k]
            return k

        groups = [[k for k, _ in terms] for terms, _ in self.equations] + [
            list(pair) for pair in self.links
        ]
        for group in groups:
            for k in group[1:]:
                parent[find(k)] = find(group[0])
        out = {}
        wanted = {self.names[name]: name for name in targets}
        by_root: dict[int, list[int]] = {}
        for k in range(n):
            by_root.setdefault(find(k), []).append(k)
        for members in by_root.values():
            chosen = [k for k in members if k in wanted]
            if chosen:
                for k, rng in self._component(members, chosen, confirm_below).items():
                    out[wanted[k]] = rng
        return out

    def _component(self, members, targets, confirm_below):
        at = {k: i for i, k in enumerate(members)}
        n = len(members)
        equations = [e for e in sorted(self.equations) if e[0][0][0] in at]
        links = [(a, b) for a, b in self.links if a in at]
        bounds_to = [(k, v) for k, v in self.links_to_value if k in at]
        a_eq = np.zeros((max(len(equations), 1), n))
        b_eq = np.zeros(a_eq.shape[0])
        for i, (terms, value) in enumerate(equations):
            for k, coefficient in terms:
                a_eq[i, at[k]] = coefficient
            b_eq[i] = value
        a_ub = np.zeros((max(len(links) + len(bounds_to), 1), n))
        b_ub = np.zeros(a_ub.shape[0])
        for i, (small, large) in enumerate(links):
            a_ub[i, at[small]], a_ub[i, at[large]] = 1, -1
        for i, (k, bound) in enumerate(bounds_to, start=len(links)):
            a_ub[i, at[k]], b_ub[i] = 1, bound
        lower = np.array([self.lower[k] for k in members], float)
        bounds = [(lo, None) for lo in lower]
        out = {}
        solve = functools.partial(
            linprog, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds
        )
        seen_low, seen_high = np.full(n, np.inf), np.full(n, -np.inf)

        def see(result):
            nonlocal seen_low, seen_high
            if result.status == 0:
                seen_low = np.minimum(seen_low, result.x)
                seen_high = np.maximum(seen_high, result.x)

        def settled(k):
            return self.enough is not None and seen_high[at[k]] - seen_low[at[k]] >= (
                self.enough - 1e-6
            )

        if self.enough is not None:
            # Optima of a few random objectives: feasible points that settle most targets.
            rng = np.random.default_rng(0)
            for c in [np.ones(n), -np.ones(n), *rng.choice([-1.0, 0.0, 1.0], (12, n))]:
                see(solve(c))
        for k in targets:
            if settled(k):
                out[k] = (round(seen_low[at[k]]), round(seen_high[at[k]]))
                continue
            self.exact += 1
            c = np.zeros(n)
            c[at[k]] = 1
            if seen_low[at[k]] <= lower[at[k]] + 1e-9:
                lo = round(lower[at[k]])  # a point already sits on its floor
            else:
                low = solve(c)
                assert low.status == 0, f"the published figures are inconsistent: {low.message}"
                see(low)
                lo = round(low.fun)
            high = solve(-c)
            see(high)
            hi = None if high.status == 3 else round(-high.fun)
            if hi is not None and hi - lo < confirm_below:
                constraints = [
                    LinearConstraint(a_eq, b_eq, b_eq),
                    LinearConstraint(a_ub, -np.inf, b_ub),
                ]
                box = Bounds(lower, np.full(n, np.inf))
                whole = np.ones(n)
                lo = round(milp(c, constraints=constraints, integrality=whole, bounds=box).fun)
                hi = round(-milp(-c, constraints=constraints, integrality=whole, bounds=box).fun)
            out[k] = (lo, hi)
        return out


def attack_table(table, enough: int | None = None) -> dict:
    """The attacker's range for every withheld cell of a protected table, every layer, from
    its published cells and totals (keys (layer, row, column) of the extended table). With
    `enough`, ranges at least that wide may be shown by two feasible points (see `ranges`)."""
    values, hidden = table.values, table.hidden
    attacker = Attacker()
    rows, cols = table.shape
    for layer in range(values.shape[0]):
        for r, c in zip(*np.nonzero(hidden[layer]), strict=True):
            attacker.unknown((layer, int(r), int(c)), at_least=int(table.floors[layer, r, c]))
        lines = [[(r, c) for c in range(cols)] + [(r, cols)] for r in range(rows + 1)]
        lines += [[(r, c) for r in range(rows)] + [(rows, c)] for c in range(cols + 1)]
        for line in lines:  # each line: cells minus its total = 0
            terms, known = {}, 0
            for cell, sign in [(p, 1) for p in line[:-1]] + [(line[-1], -1)]:
                name = (layer, *cell)
                if name in attacker.names:
                    terms[attacker.names[name]] = sign
                else:
                    known += sign * int(values[layer][cell])
            attacker.publish(terms, -known)
    # A further layer never exceeds the first, cell by cell (shown or not).
    for layer in range(1, values.shape[0]):
        for r, c in itertools.product(range(rows + 1), range(cols + 1)):
            small, large = (layer, r, c), (0, r, c)
            if small in attacker.names and large in attacker.names:
                attacker.at_most(small, large)
            elif small in attacker.names:
                k = attacker.names[small]
                attacker.links_to_value.append((k, int(values[0, r, c])))
            elif large in attacker.names:
                attacker.lower[attacker.names[large]] = max(
                    attacker.lower[attacker.names[large]], int(values[layer, r, c])
                )
    return attacker.ranges(list(attacker.names), confirm_below=table.threshold, enough=enough)


# -- the rule on small tables -------------------------------------------------------------------


def test_a_hand_worked_table_hides_a_2_among_three_more_cells():
    # 2 10  9 | 21
    # 8 12 11 | 31
    # The 2 needs a rectangle: the cheapest of 9 (its row), 8 (its column) and 11.
    t = protect([[2, 10, 9], [8, 12, 11]], threshold=5)
    assert t.published() == [[None, 10, None, 21], [None, 12, None, 31], [10, 22, 20, 52]]
    # Shifting the rectangle: the 2 rises while 9 and 8 fall to 1 (at most 7) and falls to 1
    # while 11 rises: 1 to 9 by hand, and so says the linear programme.
    assert attack_table(t)[(0, 0, 0)] == (1, 9)
    assert t.intervals()[(0, 0)] == (1, 9)


def test_zero_is_shown_and_a_small_total_is_withheld_with_its_cells():
    t = protect([[0, 3], [0, 40], [7, 30]], threshold=5)
    published = t.published()
    assert published[0][0] == 0 and published[1][0] == 0  # zeros, never withheld
    assert published[0][1] is None and published[0][2] is None  # 3 and its row total 3
    for (_, r, c), (lo, hi) in attack_table(t).items():
        assert hi is None or hi - lo >= 5, ((r, c), lo, hi)


def test_counts_at_or_above_the_threshold_alone_are_published_whole():
    t = protect([[5, 6], [7, 80]], threshold=5)
    assert not t.suppressed.any()
    assert t.box([0, 1], [1]) == 86


def test_the_threshold_is_a_parameter():
    assert protect([[7, 20], [9, 30]], threshold=10).published()[0][0] is None
    assert protect([[7, 20], [9, 30]], threshold=5).published()[0][0] == 7


tables = st.integers(1, 5).flatmap(
    lambda rows: st.integers(1, 5).flatmap(
        lambda cols: st.lists(
            st.lists(
                st.one_of(st.just(0), st.integers(1, 4), st.integers(5, 60)),
                min_size=cols,
                max_size=cols,
            ),
            min_size=rows,
            max_size=rows,
        )
    )
)


@settings(max_examples=30, deadline=None)
@given(tables)
def test_the_flow_audit_agrees_with_the_linear_programme(table):
    t = protect(table, threshold=5)
    by_lp = {(r, c): rng for (_, r, c), rng in attack_table(t).items()}
    assert t.intervals() == by_lp


@settings(max_examples=40, deadline=None)
@given(tables, st.randoms(use_true_random=False), st.integers(2, 8))
def test_no_withheld_count_of_a_random_table_can_be_recovered(table, rnd, threshold):
    main = np.array(table)
    # A second layer (distinct records): never more than the first.
    layer = np.array([[rnd.randint(0, v) for v in row] for row in table], dtype=int)
    t = protect(main, threshold=threshold, layers=[layer])
    ranges = attack_table(t)
    values = t.values
    assert not (t.suppressed & (values == 0).all(axis=0)).any(), "a zero was withheld"
    for (k, r, c), (lo, hi) in ranges.items():
        width = None if hi is None else hi - lo
        assert width is None or width > 0, f"layer {k} cell {(r, c)} recovered: {lo}"
        if 0 < values[k, r, c] < threshold:
            assert width is None or width >= threshold, (k, (r, c), lo, hi)
    small = (values > 0) & (values < threshold)
    assert (t.suppressed >= small.any(axis=0)).all(), "a small count was published"


@settings(max_examples=60, deadline=None)
@given(tables, st.data())
def test_a_sum_is_published_exactly_when_the_published_table_determines_it(table, data):
    t = protect(table, threshold=5)
    rows, cols = t.shape
    pick_rows = data.draw(st.lists(st.booleans(), min_size=rows, max_size=rows))
    pick_cols = data.draw(st.lists(st.booleans(), min_size=cols, max_size=cols))
    answer = t.box(np.array(pick_rows), np.array(pick_cols))
    truth = int(np.array(table)[np.ix_(pick_rows, pick_cols)].sum())
    # The attacker's range of the sum: a new unknown tied to the cells it adds up.
    attacker = Attacker()
    known = 0
    terms = {}
    for r, c in itertools.product(range(rows), range(cols)):
        if t.suppressed[r, c] and t.values[0, r, c] > 0:
            k = attacker.unknown((r, c))
            if pick_rows[r] and pick_cols[c]:
                terms[k] = 1
        elif pick_rows[r] and pick_cols[c]:
            known += int(t.values[0, r, c])
    for r, c in zip(*np.nonzero(t.suppressed & (t.values[0] > 0)), strict=True):
        attacker.unknown((int(r), int(c)))
    s = attacker.unknown("sum", at_least=0)
    attacker.publish({**terms, s: -1}, -known)
    for line in _lines(t):
        line_terms, line_known = {}, 0
        for cell, sign in line:
            if cell in attacker.names:
                line_terms[attacker.names[cell]] = sign
            else:
                line_known += sign * int(t.values[0][cell])
        attacker.publish(line_terms, -line_known)
    lo, hi = attacker.ranges(["sum"])["sum"]
    if answer is None:
        assert hi is None or hi > lo, "a determined sum was withheld"
    else:
        assert answer == truth == lo == hi


def _lines(t):
    rows, cols = t.shape
    for r in range(rows + 1):
        yield [((r, c), 1) for c in range(cols)] + [((r, cols), -1)]
    for c in range(cols + 1):
        yield [((r, c), 1) for r in range(rows)] + [((rows, c), -1)]


def test_rows_with_few_records_are_published_only_together():
    cells = [
        ("2022-01", "big", "burglary", (40,)),
        ("2022-01", "big", "robbery", (30,)),
        ("2022-01", "other", "burglary", (25,)),
        ("2022-01", "other", "robbery", (35,)),
        ("2022-01", "far-a", "burglary", (1,)),
        ("2022-01", "far-b", "robbery", (2,)),
        ("2022-01", "far-c", "robbery", (1,)),
    ]
    grid = PublicationGrid.build(cells, threshold=5)
    assert grid.tables["2022-01"][3] == {"far-a", "far-b", "far-c"}
    assert grid.box(["2022-01"], ["far-b"]) is None
    assert grid.box(["2022-01"], ["far-a", "far-b", "far-c"]) == 4 or (
        grid.box(["2022-01"], ["far-a", "far-b", "far-c"]) is None
    )
    assert grid.box(["2022-01"], ["big"]) == 70
    assert grid.box(["2022-01"]) == 134
    assert POOLED in grid.rows


# -- the public counts API, attacked ------------------------------------------------------------


@pytest.fixture
def quarter(fresh_store, settings):
    """The demo's police.uk records for January to March 2022 (51,000 records, Lancashire and a
    tail of records placed in districts far away): every public figure comes from them."""
    from cdrp.store import import_police_uk

    import_police_uk(
        fresh_store,
        [f"{STREET}/2022-0{m}/2022-0{m}-lancashire-street.csv.gz" for m in (1, 2, 3)],
    )
    settings.INCIDENT_STORE = fresh_store
    return fresh_store


def _get(client, **params):
    response = client.get("/api/counts", params)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.django_db
def test_january_plus_february_minus_february_no_longer_gives_a_hidden_count(client, quarter):
    # Chorley recorded 2 robberies in January 2022 and 6 in February (the finding: 8 - 6 = 2).
    cell = {"by": "district,category", "district": "E07000118", "category": "robbery"}
    january = _get(client, **cell, **{"from": "2022-01", "to": "2022-01"})["rows"]
    both = _get(client, **cell, **{"from": "2022-01", "to": "2022-02"})["rows"]
    february = _get(client, **cell, **{"from": "2022-02", "to": "2022-02"})["rows"]
    assert january == [{"district": "E07000118", "category": "robbery", "count": None}]
    assert both[0]["count"] is None or february[0]["count"] is None
    if both[0]["count"] is not None:
        assert both[0]["count"] - february[0]["count"] != 2 or february[0]["count"] is None


@pytest.mark.django_db
def test_a_member_sees_exact_counts_and_the_threshold_is_one_setting(
    client, quarter, member, settings
):
    cell = {"by": "district,category", "district": "E07000118", "category": "robbery"}
    period = {"from": "2022-01", "to": "2022-01"}
    _, key = ApiToken.issue(member, "m")
    exact = client.get(
        "/api/counts", {**cell, **period}, headers={"Authorization": f"Bearer {key}"}
    ).json()
    assert exact["suppressed_below"] is None and exact["rows"][0]["count"] == 2
    settings.CDRP_SUPPRESS_BELOW = 1  # nothing withheld
    public = _get(client, **cell, **period)
    assert public["suppressed_below"] == 1 and public["rows"][0]["count"] == 2
    settings.CDRP_SUPPRESS_BELOW = 10  # February's 6 is now small
    public = _get(client, **cell, **{"from": "2022-02", "to": "2022-02"})
    assert public["suppressed_below"] == 10 and public["rows"][0]["count"] is None


@pytest.mark.django_db
def test_public_counts_by_lsoa_or_ward_are_refused_with_a_reason(client, quarter):
    response = client.get("/api/counts", {"by": "ward"})
    assert response.status_code == 403
    assert "counts by ward are for partner members" in response.json()["detail"]


BREAKDOWNS = [
    "",
    "month",
    "district",
    "category",
    "partnership",
    "force",
    "month,district",
    "month,category",
    "district,category",
    "month,partnership",
    "month,district,category",
]


@pytest.mark.django_db
def test_an_attacker_recovers_no_withheld_count_from_every_public_answer(client, quarter):
    """Every public answer over every period range of the quarter, every breakdown, all records
    and distinct Crime IDs, the whole store and the partnership's districts alone: written as
    linear constraints on the unknown counts (month × district × category × layer), they leave
    every withheld count a range of possible values at least as wide as the threshold."""
    months = ["2022-01", "2022-02", "2022-03"]
    attacker = Attacker()
    answers = 0
    # The finest answers say which cells hold records (shown) and the published ones' values.
    cells: dict = {}
    for layer, distinct in enumerate(["false", "true"]):
        finest = _get(client, by="month,district,category", distinct=distinct)
        threshold = finest["suppressed_below"]
        for row in finest["rows"]:
            key = (layer, row["month"], row["district"], row["category"])
            cells[key] = row["count"]
            if row["count"] is None:
                attacker.unknown(key)
    areas = {
        r["district"]: (r["partnership"], r["force"])
        for r in _get(client, by="district,partnership,force")["rows"]
    }

    keys = list(cells)
    column = {
        name: np.array([k[i] for k in keys], dtype=object)
        for i, name in enumerate(["layer", "month", "district", "category"])
    }
    column["partnership"] = np.array([areas.get(k[2], (None, None))[0] for k in keys], object)
    column["force"] = np.array([areas.get(k[2], (None, None))[1] for k in keys], object)
    shown = [cells[k] for k in keys]

    def members(row, layer, start, end, districts=None):
        """The cells (key, published value or None) an answer row adds up."""
        mask = (column["layer"] == layer) & (column["month"] >= start) & (column["month"] <= end)
        for level in ("month", "district", "category", "partnership", "force"):
            if level in row:
                mask &= column[level] == row[level]
        if districts is not None:
            mask &= np.isin(column["district"], districts)
        return [(keys[i], shown[i]) for i in np.nonzero(mask)[0]]

    for start, end in itertools.product(months, months):
        if end < start:
            continue
        for by, (layer, distinct), area in itertools.product(
            BREAKDOWNS, enumerate(["false", "true"]), [None, SOUTH]
        ):
            if area is not None and by not in ("", "category", "month,category"):
                continue
            params = {"by": by, "from": start, "to": end, "distinct": distinct}
            if area is not None:
                params["district"] = area
            for row in _get(client, **params)["rows"]:
                answers += 1
                if row["count"] is None:
                    continue
                terms, known = {}, 0
                for key, value in members(row, layer, start, end, area):
                    if value is None:
                        terms[attacker.names[key]] = 1
                    else:
                        known += value
                attacker.publish(terms, row["count"] - known)
    for (layer, month, district, category), value in cells.items():
        if layer == 1:
            small, large = (1, month, district, category), (0, month, district, category)
            if small in attacker.names and large in attacker.names:
                attacker.at_most(small, large)
            elif small in attacker.names:
                attacker.links_to_value.append((attacker.names[small], cells[large]))
            elif large in attacker.names:
                k = attacker.names[large]
                attacker.lower[k] = max(attacker.lower[k], value)
    ranges = attacker.ranges(list(attacker.names), confirm_below=threshold, enough=threshold)
    widths = [None if hi is None else hi - lo for lo, hi in ranges.values()]
    finite = [w for w in widths if w is not None]
    print(
        f"\nattacker: {answers} public answers, {len(attacker.equations)} distinct equations, "
        f"{len(ranges)} withheld counts ({sum(1 for k in ranges if k[0] == 0)} all records, "
        f"{sum(1 for k in ranges if k[0] == 1)} distinct); every range at least "
        f"{min(finite) if finite else 'unbounded'} wide ({attacker.exact} computed exactly, "
        f"the others shown by two feasible points)"
    )
    assert len(ranges) > 100
    recovered = [k for k, w in zip(ranges, widths, strict=True) if w is not None and w == 0]
    assert recovered == [], f"recovered exactly: {recovered[:5]}"
    assert min(finite) >= threshold, sorted(
        (w, k, ranges[k]) for k, w in zip(ranges, widths, strict=True) if w is not None
    )[:5]


# -- the published assessment -------------------------------------------------------------------

FIRES = [  # deliberate fires by ward: 2021, 2022, and a rate per 1,000 residents
    ("Astley", 3, 12),
    ("Buckshaw", 0, 7),
    ("Clayton", 15, 2),
    ("Euxton", 9, 11),
    ("Heath Charnock", 1, 0),
    ("Whittle", 22, 30),
]


def _fires_document():
    rows = [
        {"ward": w, "y2021": a, "y2022": b, "rate": round(b / 7.5, 2), "_key": w}
        for w, a, b in FIRES
    ]
    return {
        "sections": [
            {
                "number": 1,
                "title": "Levels",
                "tables": [
                    {
                        "id": "police",
                        "title": "Records",
                        "columns": [{"key": "count", "label": "Records", "format": "int"}],
                        "rows": [{"count": 3, "_key": "a"}],
                    },
                    {
                        "id": "fires",
                        "title": "Deliberate fires by ward",
                        "source": "fire-deliberate-fires",
                        "columns": [
                            {"key": "ward", "label": "Ward", "format": "text"},
                            {"key": "y2021", "label": "2021", "format": "int"},
                            {"key": "y2022", "label": "2022", "format": "int"},
                            {"key": "rate", "label": "Per 1,000", "format": "rate"},
                        ],
                        "rows": rows,
                    },
                ],
            }
        ]
    }


def test_an_attacker_recovers_no_partner_count_of_a_published_assessment(settings):
    """The attacker knows every published cell and, from elsewhere, each year's total of the
    partner table: no withheld count comes out."""
    from cdrp.accounts.policy import SUPPRESSED, public_document

    settings.CDRP_SUPPRESS_BELOW = 5
    original = _fires_document()
    public = public_document(original)
    police, fires = public["sections"][0]["tables"]
    assert police["rows"][0]["count"] == 3  # police.uk: open data, shown as published
    keys = ["y2021", "y2022"]
    truth = np.array([[a, b] for _, a, b in FIRES])
    shown = [[row[k] for k in keys] for row in fires["rows"]]
    attacker = Attacker()
    for (r, c), value in np.ndenumerate(truth):
        if shown[r][c] == SUPPRESSED:
            attacker.unknown((r, c))
        else:
            assert shown[r][c] == value
    lines = [[(r, c) for r in range(len(FIRES))] for c in range(2)]
    for line in lines:
        total = sum(int(truth[cell]) for cell in line)
        terms = {attacker.names[cell]: 1 for cell in line if cell in attacker.names}
        known = sum(int(truth[cell]) for cell in line if cell not in attacker.names)
        attacker.publish(terms, total - known)
    ranges = attacker.ranges(list(attacker.names), confirm_below=5)
    for (r, c), (lo, hi) in ranges.items():
        assert hi is None or hi > lo, (FIRES[r], keys[c], lo, hi)
        if 0 < truth[r, c] < 5:
            assert hi is None or hi - lo >= 5, (FIRES[r], keys[c], lo, hi)
    withheld = {(r, c) for r, c in ranges}
    assert {(0, 0), (2, 1), (4, 0)} <= withheld  # 3, 2 and 1; the zeros are shown
    assert shown[1][0] == 0 and shown[4][1] == 0
    for r, row in enumerate(fires["rows"]):  # a rate beside a withheld count would give it away
        hidden_row = any(cell[0] == r for cell in withheld)
        assert (row["rate"] == SUPPRESSED) == hidden_row, row
    assert fires["suppressed_below"] == 5
    assert original["sections"][0]["tables"][1]["rows"][0]["y2021"] == 3  # a copy was changed
    print(
        f"\nassessment: {len(ranges)} partner counts withheld, narrowest range "
        f"{min(hi - lo for lo, hi in ranges.values() if hi is not None)}"
    )


@pytest.mark.slow
@pytest.mark.django_db
def test_every_month_of_the_demo_store_survives_the_attack(reference_store, settings):
    """The whole demo store (December 2019 to November 2022, 578,766 records): each month's
    protected table, both layers, attacked by the linear programme."""
    import cdrp.api  # noqa: F401 (the API root first: it registers the routers)
    from cdrp.intelligence.api import _grid
    from cdrp.store import Store
    from cdrp.store.query import files_digest

    store = Store(reference_store[0])
    grid = _grid(store.root, files_digest(store.state()), 5)
    withheld, narrowest, pooled = 0, None, 0
    for period, (_, _, table, pool) in sorted(grid.tables.items()):
        pooled += len(pool)
        for (layer, r, c), (lo, hi) in attack_table(table, enough=5).items():
            withheld += 1
            value = table.values[layer, r, c]
            assert hi is None or hi > lo, (period, layer, r, c, lo, hi)
            if value < 5:
                assert hi is None or hi - lo >= 5, (period, layer, r, c, value, lo, hi)
            if hi is not None:
                narrowest = hi - lo if narrowest is None else min(narrowest, hi - lo)
    print(
        f"\ndemo store: {len(grid.tables)} months, {withheld} withheld counts (both layers), "
        f"{pooled} district-months pooled; every range at least {narrowest} wide"
    )
    assert withheld > 1000


# -- the one setting and who sees exact figures -------------------------------------------------


def test_the_threshold_setting_is_a_whole_number_of_at_least_one(monkeypatch):
    from cdrp import config

    monkeypatch.setenv("CDRP_SUPPRESS_BELOW", "10")
    assert config.env_int("CDRP_SUPPRESS_BELOW", 5, minimum=1) == 10
    monkeypatch.setenv("CDRP_SUPPRESS_BELOW", "five")
    with pytest.raises(config.ConfigError, match="CDRP_SUPPRESS_BELOW='five' is not a whole"):
        config.env_int("CDRP_SUPPRESS_BELOW", 5, minimum=1)
    monkeypatch.setenv("CDRP_SUPPRESS_BELOW", "0")
    with pytest.raises(config.ConfigError, match="must be at least 1"):
        config.env_int("CDRP_SUPPRESS_BELOW", 5, minimum=1)


@pytest.mark.django_db
def test_members_see_exact_figures_of_their_own_partnership_only(
    partnership, other_partnership, member, make_user
):
    from cdrp.accounts.policy import sees_exact_figures

    outsider = make_user("preston-member", "member", other_partnership)
    assert sees_exact_figures(member, partnership)
    assert not sees_exact_figures(outsider, partnership)
    assert sees_exact_figures(outsider)  # some partnership's member: the counts page and API
    from django.contrib.auth.models import AnonymousUser

    assert not sees_exact_figures(AnonymousUser())


def test_the_module_is_pure_and_its_examples_run():
    import doctest
    import subprocess
    import sys

    import cdrp.analysis.disclosure as module

    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
    code = (
        "import sys, cdrp.analysis.disclosure; "
        "print(any(k.startswith('django') for k in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
