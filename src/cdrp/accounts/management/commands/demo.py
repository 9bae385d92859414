"""cdrp demo: migrate, create the demo accounts, load the demo partnership, and serve it."""

from __future__ import annotations

import importlib
import secrets
import shutil

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from cdrp.accounts.audit import acting_as

DEMO_ADMIN = "demo-admin"
DEMO_AUTHENTICATOR = "Demo authenticator (demo only)"
DEMO_USERS = [
    # user name, full name, role in the demo partnership (None: site administrator)
    (DEMO_ADMIN, "Demo Administrator", None),
    ("coordinator", "Casey Coordinator (placeholder)", "coordinator"),
    ("analyst", "Alex Analyst (placeholder)", "analyst"),
    ("chair", "Chris Chair (placeholder)", "chair"),
    ("member", "Morgan Member (placeholder)", "member"),
]


def demo_password() -> str:
    """One password for the demo accounts, generated once and kept in the data directory."""
    path = settings.DATA_DIR / "demo-password.txt"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(12))
        path.chmod(0o600)
    return path.read_text().strip()


def login_instructions(password: str, admin_device) -> list[str]:
    """How to sign in to the demo, printed when it is ready. The site administrator needs a code
    from an authenticator app too, so the demo prints its secret: this is for the demo only."""
    from cdrp.accounts.two_factor import secret_for_display

    return [
        "  Sign in as demo-admin (site administrator), or as coordinator, analyst,",
        "  chair or member (roles in Lancashire South); every demo account's",
        f"  password is: {password}",
        "  demo-admin also needs a two-factor code. Add this secret to an authenticator app",
        "  (demo only: a real administrator's secret is never printed),",
        f"  secret: {secret_for_display(admin_device)}",
        "  or run `cdrp demo --code` for the code to type now.",
    ]


def _current_code() -> str:
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(
        user__username=DEMO_ADMIN, name=DEMO_AUTHENTICATOR, confirmed=True
    ).first()
    if device is None:
        raise CommandError("There is no demo administrator yet: run `cdrp demo` first")
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _reset() -> None:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            path = settings.DATA_DIR / (db["NAME"].rsplit("/", 1)[-1] + suffix)
            path.unlink(missing_ok=True)
    else:
        call_command("flush", interactive=False, verbosity=0)
    store = settings.INCIDENT_STORE
    if "://" not in store:
        shutil.rmtree(store, ignore_errors=True)
    (settings.DATA_DIR / "demo-password.txt").unlink(missing_ok=True)


class Command(BaseCommand):
    help = "Create the database, load the demo partnership with the bundled real data, and serve it"

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="load the demo and stop")
        parser.add_argument(
            "--reset", action="store_true", help="delete the database and store first"
        )
        parser.add_argument(
            "--code",
            action="store_true",
            help="print the demo administrator's current two-factor code and stop",
        )
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, no_serve, reset, code, host, port, **options):
        if code:
            self.stdout.write(f"demo-admin's code now: {_current_code()} (changes every 30 s)")
            return
        if reset:
            _reset()
            self.stdout.write("Removed the previous database and incident store.")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database is up to date.")
        password = demo_password()
        with acting_as(None, "cdrp demo"):
            users = self._users(password)
            for app in apps.get_app_configs():
                if app.name.startswith("cdrp."):
                    try:
                        module = importlib.import_module(f"{app.name}.demo")
                    except ModuleNotFoundError as exc:
                        if exc.name != f"{app.name}.demo":
                            raise
                        continue
                    module.load(self.stdout, users)
        url = f"http://{host}:{port}/"
        self.stdout.write(self.style.SUCCESS("\nThe demo is ready."))
        self.stdout.write(f"  Address:   {url}")
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.get(user=users[DEMO_ADMIN][0], name=DEMO_AUTHENTICATOR)
        for line in login_instructions(password, device):
            self.stdout.write(line)
        if not no_serve:
            from cdrp.core.management.commands.serve import run_gunicorn

            call_command("collectstatic", interactive=False, verbosity=0)
            run_gunicorn(host, port, workers=2, threads=4)

    def _users(self, password: str) -> dict:
        from django.contrib.auth import get_user_model
        from django_otp.plugins.otp_totp.models import TOTPDevice

        User = get_user_model()
        users = {}
        for username, full_name, role in DEMO_USERS:
            first, _, last = full_name.partition(" ")
            user, _ = User.objects.get_or_create(
                username=username, defaults={"first_name": first, "last_name": last}
            )
            user.set_password(password)
            user.is_superuser = user.is_staff = role is None
            user.save()
            if role is None:
                # Site administrators must sign in with a code: the demo's has an authenticator.
                TOTPDevice.objects.get_or_create(
                    user=user, name=DEMO_AUTHENTICATOR, defaults={"confirmed": True}
                )
            users[username] = (user, role)
        return users
