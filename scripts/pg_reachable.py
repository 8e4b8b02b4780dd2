"""Exit 0 when the PostgreSQL server named by the URL accepts a connection."""

import sys

import psycopg

from lantian.lib.dburl import parse_database_url

db = parse_database_url(sys.argv[1])
try:
    psycopg.connect(
        dbname="postgres",
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        connect_timeout=3,
    ).close()
except psycopg.Error:
    sys.exit(1)
