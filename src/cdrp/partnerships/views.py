"""Partnership pages."""

from django.shortcuts import render

from cdrp.accounts.policy import Action, allows, public, requires, roles_of
from cdrp.partnerships.models import Partnership


@public
def partnership_list(request):
    partnerships = Partnership.objects.all()
    return render(request, "partnerships/list.html", {"partnerships": partnerships})


@requires(Action.VIEW_PUBLIC)
def partnership_detail(request, partnership):
    p = request.partnership
    return render(
        request,
        "partnerships/detail.html",
        {
            "partnership": p,
            "roles": sorted(r.label for r in roles_of(request.user, p) if r != "public"),
            "can_view_member": allows(request.user, Action.VIEW_MEMBER, p),
        },
    )
