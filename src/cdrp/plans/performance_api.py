"""JSON API: performance (registered in cdrp.api)."""

from ninja import Router

router = Router(tags=["performance"])
