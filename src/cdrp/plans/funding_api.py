"""JSON API: funding (registered in cdrp.api)."""

from ninja import Router

router = Router(tags=["funding"])
