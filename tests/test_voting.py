"""One vote per council area or agency: the Chorley rule, quorum, casting vote, abstentions,
and property-based checks that representatives never multiply a body's vote."""

import doctest

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cdrp.analysis import voting
from cdrp.analysis.voting import Choice, Outcome, VotingError, count_votes

BODIES = ["Chorley", "South Ribble", "West Lancashire", "Police", "Fire"]


def test_the_docstring_examples_run():
    assert doctest.testmod(voting).failed == 0


def test_three_chorley_members_and_one_south_ribble_member_give_one_vote_each():
    present = {"ce": "Chorley", "cllr": "Chorley", "dir": "Chorley", "sr": "South Ribble"}
    ballots = [("ce", "for"), ("cllr", "for"), ("dir", "for"), ("sr", "against")]
    count = count_votes(["Chorley", "South Ribble", "West Lancashire"], present, ballots, quorum=2)
    assert (count.votes_for, count.votes_against) == (1, 1)
    assert count.bodies_present == 2
    chorley, south_ribble = count.by_body
    assert chorley.body == "Chorley" and chorley.cast_by == ("ce", "cllr", "dir")
    assert south_ribble.body == "South Ribble" and south_ribble.cast_by == ("sr",)
    # A tie without a casting vote is lost.
    assert count.outcome == Outcome.LOST


def test_the_chairs_casting_vote_breaks_a_tie_only_where_the_group_allows_it():
    present = {"chair": "Police", "c": "Chorley"}
    ballots = [("chair", "for"), ("c", "against")]
    count = count_votes(
        ["Police", "Chorley"], present, ballots, chair="chair", casting_choice="for"
    )
    assert count.outcome == Outcome.CARRIED and count.casting_vote == Choice.FOR
    with pytest.raises(VotingError, match="no casting vote"):
        count_votes(
            ["Police", "Chorley"],
            present,
            ballots,
            chair="chair",
            chair_casting_vote=False,
            casting_choice="for",
        )
    with pytest.raises(VotingError, match="chair is not present"):
        count_votes(["Police", "Chorley"], present, ballots, chair="absent", casting_choice="for")


def test_abstentions_count_as_present_but_not_for_or_against():
    present = {"a": "Chorley", "b": "South Ribble", "c": "Police"}
    count = count_votes(BODIES, present, [("a", "for"), ("b", "abstain"), ("c", "abstain")])
    assert (count.votes_for, count.votes_against, count.abstentions) == (1, 0, 2)
    assert count.outcome == Outcome.CARRIED


def test_too_few_bodies_present_is_inquorate_however_many_people_attend():
    present = {f"chorley-{i}": "Chorley" for i in range(6)}
    count = count_votes(BODIES, present, [(p, "for") for p in present])
    assert count.outcome == Outcome.INQUORATE and count.quorum == 3 and count.bodies_present == 1


def test_a_vote_by_someone_without_a_seat_is_refused():
    with pytest.raises(VotingError, match="visitor has no voting seat"):
        count_votes(BODIES, {"a": "Chorley"}, [("visitor", "for")])


def test_a_body_whose_representatives_disagree_must_say_which_vote_it_casts():
    with pytest.raises(VotingError, match="Chorley has one vote but its representatives disagree"):
        count_votes(BODIES, {"a": "Chorley", "b": "Chorley"}, [("a", "for"), ("b", "against")])


def test_a_quorum_larger_than_the_group_is_refused():
    with pytest.raises(VotingError, match="quorum of 6 is larger than the group"):
        count_votes(BODIES, {}, [], quorum=6)


def test_an_unknown_choice_is_refused():
    with pytest.raises(VotingError, match="not one of"):
        count_votes(BODIES, {"a": "Chorley"}, [("a", "maybe")])


# Property-based: random groups, attendance and consistent ballots.
@st.composite
def meetings(draw):
    n_bodies = draw(st.integers(1, 8))
    bodies = [f"body{i}" for i in range(n_bodies)]
    body_choice = {b: draw(st.sampled_from([None, *Choice])) for b in bodies}
    present, ballots = {}, []
    for b in bodies:
        for r in range(draw(st.integers(0, 4))):
            person = f"{b}-rep{r}"
            present[person] = b
            if body_choice[b] is not None and draw(st.booleans()):
                ballots.append((person, body_choice[b]))
    quorum = draw(st.one_of(st.none(), st.integers(1, n_bodies)))
    return bodies, present, ballots, quorum


@given(meetings())
@settings(max_examples=300, deadline=None)
def test_each_body_counts_at_most_once_whatever_its_attendance(meeting):
    bodies, present, ballots, quorum = meeting
    count = count_votes(bodies, present, ballots, quorum=quorum)
    voted_bodies = {present[v] for v, _ in ballots}
    assert count.votes_for + count.votes_against + count.abstentions == len(voted_bodies)
    assert count.bodies_present == len(set(present.values())) <= len(bodies)
    assert len(count.by_body) == len({v.body for v in count.by_body})
    assert sorted(p for v in count.by_body for p in v.cast_by) == sorted({v for v, _ in ballots})


@given(meetings(), st.integers(1, 5))
@settings(max_examples=200, deadline=None)
def test_more_representatives_voting_the_same_way_never_change_the_result(meeting, extra):
    bodies, present, ballots, quorum = meeting
    before = count_votes(bodies, present, ballots, quorum=quorum)
    present2, ballots2 = dict(present), list(ballots)
    for voter, choice in ballots:
        for i in range(extra):
            present2[f"{voter}-extra{i}"] = present[voter]
            ballots2.append((f"{voter}-extra{i}", choice))
    after = count_votes(bodies, present2, ballots2, quorum=quorum)
    assert (after.outcome, after.votes_for, after.votes_against, after.abstentions) == (
        before.outcome,
        before.votes_for,
        before.votes_against,
        before.abstentions,
    )


@given(meetings(), st.randoms())
@settings(max_examples=200, deadline=None)
def test_the_order_of_ballots_does_not_matter(meeting, rnd):
    bodies, present, ballots, quorum = meeting
    shuffled = list(ballots)
    rnd.shuffle(shuffled)
    assert count_votes(bodies, present, ballots, quorum=quorum) == count_votes(
        bodies, present, shuffled, quorum=quorum
    )


@given(meetings())
@settings(max_examples=200, deadline=None)
def test_the_outcome_follows_the_majority_of_bodies_when_quorate(meeting):
    bodies, present, ballots, quorum = meeting
    count = count_votes(bodies, present, ballots, quorum=quorum)
    required = quorum if quorum is not None else len(bodies) // 2 + 1
    if len(set(present.values())) < required:
        assert count.outcome == Outcome.INQUORATE
    elif count.votes_for > count.votes_against:
        assert count.outcome == Outcome.CARRIED
    else:
        assert count.outcome == Outcome.LOST
