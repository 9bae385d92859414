"""Demo venues for Lancashire South: each district's civic offices and police station."""

from __future__ import annotations

from cdrp.meetings.models import Venue
from cdrp.partnerships.models import Area, Partnership

VENUES = [
    # name, district code, capacity
    ("Chorley Town Hall", "E07000118", 40),
    ("Chorley police station meeting room", "E07000118", 14),
    ("South Ribble Civic Centre, Leyland", "E07000126", 40),
    ("Leyland police station meeting room", "E07000126", 14),
    ("West Lancashire council offices, Ormskirk", "E07000127", 40),
    ("Skelmersdale police station meeting room", "E07000127", 14),
]


def load(stdout, users: dict) -> None:
    south = Partnership.objects.filter(slug="lancashire-south").first()
    if south is None:
        return
    created = 0
    for name, code, capacity in VENUES:
        district = Area.objects.filter(code=code).first()
        _, new = Venue.objects.get_or_create(
            partnership=south, name=name, defaults={"district": district, "capacity": capacity}
        )
        created += new
    stdout.write(f"Venues: {created} created." if created else "Venues: already loaded.")
