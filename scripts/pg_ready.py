"""Exit 0 when the PostgreSQL server in argv[1] accepts a connection within 3 seconds."""

import sys

import psycopg

try:
    psycopg.connect(sys.argv[1], connect_timeout=3).close()
except Exception as exc:  # any failure means "not reachable" for the Makefile
    print(f"PostgreSQL not reachable: {str(exc).strip().splitlines()[0]}", file=sys.stderr)
    sys.exit(1)
