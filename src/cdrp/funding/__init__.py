"""Funding and commissioning: streams, formula allocations, projects, spend, variations,
milestones and evaluations. Each operation is one transaction; bad input is refused with a
`FundingError` naming the field, before anything is written.

The money rules: every amount is whole pence and never negative; a stream's allocations never add
to more than the stream; the projects funded from an allocation never budget more than it; spend
on a project never passes its budget plus its approved variations; and money is spent only on a
project the partnership's strategy group has approved by a carried decision.

The modules: `checks` (the refusal and the input checks, who decides), `store` (what the
incident store gives a formula or an evaluation), `services` (streams, allocations, projects,
spend, variations, milestones), `evaluation` (a project's evaluation) and `queries` (each
project's figures, what each audience sees).
"""
