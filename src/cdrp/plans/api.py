"""JSON API: plans (registered in cdrp.api)."""

from ninja import Router

router = Router(tags=["plans"])
