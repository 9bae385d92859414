"""The law behind the Community Call for Action, as cited (cdrp.scrutiny.law): in force on
30 April 2009 in England and 1 October 2009 in Wales; subsections (3)-(8B) substituted by the
2007 Act s.126."""

from __future__ import annotations

import datetime as dt

from cdrp.scrutiny.law import CCFA, COMMITTEE, in_force


def test_the_call_and_the_committee_start_on_different_days_in_england_and_wales():
    assert in_force(dt.date(2009, 4, 29), "E") == ()
    assert in_force(dt.date(2009, 4, 30), "E") == (COMMITTEE, CCFA)
    assert in_force(dt.date(2009, 9, 30), "W") == ()
    assert in_force(dt.date(2009, 10, 1), "W") == (COMMITTEE, CCFA)


def test_the_citations_name_the_act_the_substitution_and_the_commencement_orders():
    assert "Police and Justice Act 2006, s.19(3)-(8B)" in CCFA.citation
    assert "Local Government and Public Involvement in Health Act 2007, s.126(2)" in CCFA.citation
    assert "SI 2009/959" in CCFA.citation and "SI 2009/2539" in CCFA.citation
    assert "SI 2009/936" in COMMITTEE.citation and "SI 2009/2540" in COMMITTEE.citation
    assert CCFA.url == "https://www.legislation.gov.uk/ukpga/2006/48/section/19"
    assert CCFA.commenced == "in force 30 April 2009 in England and 1 October 2009 in Wales"
