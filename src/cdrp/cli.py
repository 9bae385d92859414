"""The `cdrp` console script: Django's management commands under one name, plus cdrp's own.

Configuration and connection problems end in one line naming the setting, never a traceback.
"""

from __future__ import annotations

import os
import sys

__all__ = ["main"]

# Commands that do not need a database connection or the data directory to print their help.
_HELP_WORDS = {"-h", "--help", "help"}


def _fail(message: str) -> int:
    print(f"cdrp: {message}", file=sys.stderr)
    return 2


def _database_error(exc: Exception) -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    where = (
        db.get("NAME") if db["ENGINE"].endswith("sqlite3") else f"{db.get('HOST')}:{db.get('PORT')}"
    )
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "no such table" in reason or ("relation" in reason and "does not exist" in reason):
        return f"the database at {where} is not set up ({reason}): run `cdrp migrate` first"
    return f"DATABASE_URL: cannot use the database at {where}: {reason}"


def print_help() -> None:
    """List every command, cdrp's own first, each with its one-line help."""
    from django.core.management import get_commands, load_command_class

    commands = get_commands()
    groups: dict[str, list[tuple[str, str]]] = {}
    for name, app in sorted(commands.items()):
        try:
            help_text = load_command_class(app, name).help or ""
        except Exception:  # a broken third-party command must not break the help
            help_text = ""
        first = help_text.strip().splitlines()[0].split(". ")[0] if help_text.strip() else ""
        group = (
            "cdrp"
            if app.startswith("cdrp")
            else "django"
            if app == "django.core"
            else app.split(".")[-1]
        )
        groups.setdefault(group, []).append((name, first))
    width = max(len(name) for name in commands) + 2
    print("Usage: cdrp COMMAND [options]   (cdrp COMMAND --help for a command's options)\n")
    order = ["cdrp"] + sorted(g for g in groups if g != "cdrp")
    for group in order:
        title = "cdrp commands" if group == "cdrp" else f"[{group}]"
        print(title)
        for name, text in groups[group]:
            print(f"  {name.ljust(width)}{text}")
        print()


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cdrp.settings")
    if argv[:1] == ["demo"]:
        # The demo serves plain HTTP on this machine; production keeps secure cookies on.
        os.environ.setdefault("CDRP_HTTPS", "0")

    from cdrp.config import ConfigError

    try:
        import django

        django.setup()
    except ConfigError as exc:
        return _fail(str(exc))

    if not argv or argv[0] in _HELP_WORDS:
        print_help()
        return 0

    from django.core.management import ManagementUtility
    from django.db import DatabaseError, InterfaceError

    try:
        ManagementUtility(["cdrp", *argv]).execute()
    except ConfigError as exc:
        return _fail(str(exc))
    except (DatabaseError, InterfaceError) as exc:
        from django.db import OperationalError

        if isinstance(exc, OperationalError | InterfaceError):
            return _fail(_database_error(exc))
        raise
    except KeyboardInterrupt:
        return 130
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else _fail(exc.code)
    return 0
