"""Performance management of the partnership plan: each indicator's figures, projection and
status against its target, the quarterly report, and the manual series partners enter.

Reads the plan records and the incident store, and calls the pure statistics in
`cdrp.analysis.performance` (projection to the end of the target period with a 95% interval,
the target as a figure, and the status with its reasoning).

- Store indicators count police.uk records of the indicator's categories (slugs) in its
  districts (the partnership's districts when it names none), month by month; a month is held
  when every force the districts belong to has its file. Harm-weighted indicators weight each
  record by the default ONS Crime Severity Score table (`cdrp.analysis.harm.default_weights`).
  Rates use the ONS mid-year estimate of the latest year not after the target period's end.
- Manual indicators read `SeriesValue` rows: a month with no row is missing. A series with a
  denominator is a proportion (its absolute target is a percentage, e.g. 12 for 12%).
- Family targets: each district's family is its 15 most similar districts in England
  (`cdrp.analysis.peers`, as in the strategic assessment), keeping those whose force's data
  covers the elapsed months. The family of a partnership of several districts is the union
  of its districts' families, less its own districts. The family average is the plain mean of
  the members' rates per 1,000 (of the same categories, harm-weighted or not) over the same
  elapsed months, scaled to the end of the period by the projection's factor.

The modules, one job each: `store` (the incident store read once for many indicators),
`figures` (which plan, which target, an indicator's monthly figures), `family` (the family
comparison), `status` (each indicator's status and the plan's), `review` (the strategic
assessment's review of last year's plan), `report` (the quarterly report, HTML and PDF),
`exports` (CSV and XLSX) and `services` (entering manual series).
"""
