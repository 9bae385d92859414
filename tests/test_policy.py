"""The policy module decides every permission: roles per partnership, anonymous is public."""

import pytest
from django.contrib.auth.models import AnonymousUser

from cdrp.accounts.policy import GRANTS, Action, Role, allows, roles_of

pytestmark = pytest.mark.django_db


def test_anonymous_is_public_and_may_only_view_public(partnership):
    anon = AnonymousUser()
    assert roles_of(anon, partnership) == {Role.PUBLIC}
    assert allows(anon, Action.VIEW_PUBLIC, partnership)
    for action in set(Action) - {Action.VIEW_PUBLIC}:
        assert not allows(anon, action, partnership), action


def test_each_role_gets_exactly_its_grants(partnership, make_user):
    for role in set(Role) - {Role.PUBLIC}:
        user = make_user(f"u-{role}", role.value)
        for action in Action:
            assert allows(user, action, partnership) == (role in GRANTS[action]), (role, action)


def test_a_role_in_one_partnership_gives_nothing_in_another(
    partnership, outsider, other_partnership
):
    assert allows(outsider, Action.ADMINISTER, other_partnership)
    assert not allows(outsider, Action.VIEW_MEMBER, partnership)
    assert allows(outsider, Action.ADMINISTER)  # "any partnership" for site-wide pages


def test_superuser_is_administrator_everywhere(superuser, partnership, other_partnership):
    assert allows(superuser, Action.ADMINISTER, partnership)
    assert allows(superuser, Action.APPROVE, other_partnership)


def test_an_inactive_user_is_public(member, partnership):
    member.is_active = False
    member.save()
    assert roles_of(member, partnership) == {Role.PUBLIC}


def test_chair_approves_but_does_not_edit_and_analyst_analyses_but_does_not_approve(
    chair, analyst, partnership
):
    assert allows(chair, Action.APPROVE, partnership) and not allows(
        chair, Action.EDIT, partnership
    )
    assert allows(analyst, Action.ANALYSE, partnership)
    assert not allows(analyst, Action.APPROVE, partnership)
