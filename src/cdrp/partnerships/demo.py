"""Demo records for the partnership registry: Lancashire South and the demo accounts' roles."""

from __future__ import annotations

import datetime as dt

from cdrp.accounts.models import PartnershipRole
from cdrp.partnerships.models import Partnership


def load(stdout, users: dict) -> None:
    south, created = Partnership.objects.get_or_create(
        slug="lancashire-south",
        defaults={
            "name": "Lancashire South Strategic CDRP",
            "status": Partnership.Status.CURRENT,
            "valid_from": dt.date(2008, 4, 1),
            "description": "Chorley, South Ribble and West Lancashire, merged as proposed in 2008.",
        },
    )
    for user, role in users.values():
        if role:
            PartnershipRole.objects.get_or_create(user=user, partnership=south, role=role)
    stdout.write(f"Partnership: {south.name} ({'created' if created else 'already loaded'}).")
