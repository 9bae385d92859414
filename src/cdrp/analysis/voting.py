"""Counting a vote of a partnership group: one vote per council area or agency.

The Lancashire South proposal (Chorley, 2008) gave each council area and agency one vote however
many of its representatives attend, so a district sending its chief executive, elected member and
director still counts once. This module is pure (no Django): the registry's services turn seats,
memberships and ballots into the plain values it takes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["Choice", "Outcome", "BodyVote", "Count", "VotingError", "count_votes"]


class Choice(StrEnum):
    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"


class Outcome(StrEnum):
    CARRIED = "carried"
    LOST = "lost"
    INQUORATE = "inquorate"


class VotingError(ValueError):
    """The ballots cannot be counted (a voter without a seat, a split body, a bad quorum)."""


@dataclass(frozen=True)
class BodyVote:
    """The one vote of a council area or agency, and the representatives who cast it."""

    body: str
    choice: Choice
    cast_by: tuple[str, ...]


@dataclass(frozen=True)
class Count:
    """The counted result of a vote.

    Attributes
    ----------
    outcome : Outcome
        carried, lost, or inquorate (no decision: fewer bodies present than the quorum).
    votes_for, votes_against, abstentions : int
        Bodies, not people: each council area or agency counts once.
    bodies_present : int
        Distinct voting bodies with at least one representative present.
    quorum : int
        Bodies required.
    casting_vote : Choice or None
        The chair's casting vote, when it broke a tie.
    by_body : tuple of BodyVote
        Who voted for whom: each body's choice and the representatives who cast it, sorted by body.
    not_voting : tuple of str
        Bodies present that cast no ballot.
    """

    outcome: Outcome
    votes_for: int
    votes_against: int
    abstentions: int
    bodies_present: int
    quorum: int
    casting_vote: Choice | None = None
    by_body: tuple[BodyVote, ...] = field(default_factory=tuple)
    not_voting: tuple[str, ...] = field(default_factory=tuple)


def count_votes(
    bodies: Iterable[str],
    present: Mapping[str, str],
    ballots: Iterable[tuple[str, Choice | str]],
    quorum: int | None = None,
    chair: str | None = None,
    chair_casting_vote: bool = True,
    casting_choice: Choice | str | None = None,
) -> Count:
    """Count ballots with one vote per council area or agency.

    Parameters
    ----------
    bodies : iterable of str
        Every voting body of the group (a council area or an agency), present or not. The
        quorum is checked against this list.
    present : mapping of str to str
        Each representative present with a voting seat → the body that seat belongs to.
    ballots : iterable of (voter, choice)
        The ballots cast; a voter must be in `present`. Several representatives of one body may
        cast the same choice (counted once); a body whose representatives disagree cannot be
        counted, because it has one vote and must say which.
    quorum : int, optional
        Bodies that must be present; default more than half of `bodies`.
    chair : str, optional
        The representative in the chair.
    chair_casting_vote : bool
        Whether this group gives its chair a casting vote on a tie.
    casting_choice : Choice, optional
        The chair's casting vote, used only on a tie (ignored otherwise). Without it a tie is
        lost (the motion fails).

    Returns
    -------
    Count

    Raises
    ------
    VotingError
        A ballot from someone not present with a voting seat; a representative of a body that is
        not a voting body; conflicting ballots within one body or from one person; a quorum
        larger than the group or below one; a casting vote on a tie where the group gives its
        chair none or the chair is absent.

    Examples
    --------
    Three Chorley members and one South Ribble member present, all in favour:

    >>> c = count_votes(
    ...     ["Chorley", "South Ribble", "West Lancashire"],
    ...     {"a": "Chorley", "b": "Chorley", "c": "Chorley", "d": "South Ribble"},
    ...     [("a", "for"), ("b", "for"), ("c", "for"), ("d", "for")],
    ... )
    >>> c.outcome, c.votes_for, c.bodies_present
    (<Outcome.CARRIED: 'carried'>, 2, 2)
    """
    bodies = sorted(set(bodies))
    if not bodies:
        raise VotingError("The group has no voting seats, so nothing can be put to a vote.")
    required = len(bodies) // 2 + 1 if quorum is None else quorum
    if required < 1:
        raise VotingError(f"A quorum must be at least one body, not {required}.")
    if required > len(bodies):
        raise VotingError(
            f"A quorum of {required} is larger than the group: it has {len(bodies)} voting bodies."
        )
    unknown = sorted({b for b in present.values() if b not in bodies})
    if unknown:
        raise VotingError(f"Not voting bodies of this group: {', '.join(unknown)}.")

    by_voter: dict[str, Choice] = {}
    for voter, choice in ballots:
        if voter not in present:
            raise VotingError(f"{voter} has no voting seat at this meeting, so cannot vote.")
        try:
            choice = Choice(choice)
        except ValueError:
            raise VotingError(
                f"{voter}'s vote {choice!r} is not one of: for, against, abstain."
            ) from None
        if by_voter.get(voter, choice) != choice:
            raise VotingError(f"{voter} cast two different votes.")
        by_voter[voter] = choice

    per_body: dict[str, dict[Choice, list[str]]] = {}
    for voter, choice in by_voter.items():
        per_body.setdefault(present[voter], {}).setdefault(choice, []).append(voter)
    by_body = []
    for body in sorted(per_body):
        choices = per_body[body]
        if len(choices) > 1:
            detail = "; ".join(f"{', '.join(sorted(v))} {c.value}" for c, v in choices.items())
            raise VotingError(
                f"{body} has one vote but its representatives disagree ({detail}): record the "
                "vote its representatives agreed."
            )
        ((choice, voters),) = choices.items()
        by_body.append(BodyVote(body, choice, tuple(sorted(voters))))

    present_bodies = set(present.values())
    not_voting = tuple(sorted(present_bodies - set(per_body)))
    n_for = sum(1 for v in by_body if v.choice == Choice.FOR)
    n_against = sum(1 for v in by_body if v.choice == Choice.AGAINST)
    n_abstain = sum(1 for v in by_body if v.choice == Choice.ABSTAIN)

    def result(outcome: Outcome, casting_vote: Choice | None = None) -> Count:
        return Count(
            outcome=outcome,
            votes_for=n_for,
            votes_against=n_against,
            abstentions=n_abstain,
            bodies_present=len(present_bodies),
            quorum=required,
            casting_vote=casting_vote,
            by_body=tuple(by_body),
            not_voting=not_voting,
        )

    if len(present_bodies) < required:
        return result(Outcome.INQUORATE)
    if n_for != n_against:
        return result(Outcome.CARRIED if n_for > n_against else Outcome.LOST)
    casting = Choice(casting_choice) if casting_choice is not None else None
    if casting == Choice.ABSTAIN:
        raise VotingError("A casting vote must be for or against.")
    if casting is not None:
        if not chair_casting_vote:
            raise VotingError("This group's chair has no casting vote.")
        if chair is None or chair not in present:
            raise VotingError("The chair is not present, so there is no casting vote.")
        outcome = Outcome.CARRIED if casting == Choice.FOR else Outcome.LOST
        return result(outcome, casting)
    return result(Outcome.LOST)
