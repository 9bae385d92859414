"""What of the sharing app the partnership's search finds (`cdrp.search` discovers this
module's INDEXERS): information-sharing agreements past their draft, by the fields the public
register shows (title, purpose, parties and dates), nothing else.

Person-level records (cohort members, partner offences, cases and their actions, subject access
requests) are never indexed, nor an agreement's datasets, bases or retention.
"""

from __future__ import annotations

from django.urls import reverse

from cdrp.sharing.models import Agreement

__all__ = ["INDEXERS"]


def agreement_entry(agreement: Agreement) -> dict | None:
    if agreement.status == Agreement.Status.DRAFT:
        return None
    parties = ", ".join(sorted(o.name for o in agreement.parties.all()))
    return {
        "partnership_id": agreement.partnership_id,
        "title": agreement.title,
        "text": f"{agreement.purpose}\nParties: {parties}",
        "url": reverse("sharing:agreements", args=[agreement.partnership.slug]),
        "date": agreement.signed_on or agreement.starts,
    }


INDEXERS = [
    {
        "kind": "sharing-agreement",
        "label": "Information-sharing agreements",
        "model": Agreement,
        "entry": agreement_entry,
        "records": lambda partnership: Agreement.objects.filter(partnership=partnership),
        "order": 95,
    },
]
