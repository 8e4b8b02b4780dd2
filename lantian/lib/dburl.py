"""Parse DATABASE_URL into a Django DATABASES entry, with errors a person can act on."""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote, urlsplit


class DatabaseURLError(ValueError):
    """DATABASE_URL cannot be understood; the message names the problem."""


_ENGINES = {
    "postgres": "django.db.backends.postgresql",
    "postgresql": "django.db.backends.postgresql",
    "pgsql": "django.db.backends.postgresql",
    "sqlite": "django.db.backends.sqlite3",
}


def parse_database_url(url: str) -> dict:
    """Return a DATABASES entry for ``postgresql://user:pw@host:port/name`` or ``sqlite:///path``."""
    url = url.strip()
    if "://" not in url:
        raise DatabaseURLError(
            f"DATABASE_URL {url!r} is not a URL; expected postgresql://user@host:5432/dbname"
        )
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0].lower()
    if scheme not in _ENGINES:
        raise DatabaseURLError(
            f"DATABASE_URL scheme {parts.scheme!r} is not supported; use postgresql:// or sqlite://"
        )
    if scheme == "sqlite":
        path = unquote(parts.path)
        if path.startswith("//"):
            path = path[1:]
        elif path.startswith("/"):
            path = path[1:]
        if not path:
            raise DatabaseURLError(
                "DATABASE_URL sqlite:// needs a file path, e.g. sqlite:///var/db"
            )
        return {"ENGINE": _ENGINES[scheme], "NAME": path}
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise DatabaseURLError(f"DATABASE_URL {_redact(url)!r} names no database after the host")
    try:
        port = parts.port
    except ValueError as exc:
        raise DatabaseURLError(f"DATABASE_URL {_redact(url)!r} has a bad port: {exc}") from None
    options = dict(parse_qsl(parts.query))
    return {
        "ENGINE": _ENGINES[scheme],
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(port or ""),
        "OPTIONS": options,
        "CONN_MAX_AGE": 60,
    }


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url
