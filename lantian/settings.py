"""Django settings for lantian, read from environment variables.

SQLite under ``var/`` is the embedded default; set ``DATABASE_URL`` for PostgreSQL.
"""

import os
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from lantian.lib.dburl import parse_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    return os.environ.get(name, default).strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


DEBUG = envbool("LANTIAN_DEBUG", "false")
SECRET_KEY = os.environ.get("SECRET_KEY", "lantian-dev-only-secret-change-me")
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
SITE_NAME = os.environ.get("SITE_NAME", "蓝天")
SITE_ROOT = os.environ.get("SITE_ROOT", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_filters",
    "django_tables2",
    "ninja",
    "accounts",
    "audit",
    "regulations",
    "evidence",
    "ledger",
    "disclosure",
    "plans",
    "airquality",
    "emergency",
    "api",
    "monitoring",
    "roster",
    "crosscheck",
    "reports",
    "onemap",  # after the apps whose demo data it places on the map
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "lantian.middleware.RefuseNulMiddleware",
    "lantian.middleware.NumberOutOfRangeMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lantian.urls"
WSGI_APPLICATION = "lantian.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["lantian.templatetags.people"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lantian.context_processors.site",
            ],
        },
    },
]

VAR_DIR = Path(os.environ.get("LANTIAN_VAR_DIR", BASE_DIR / "var"))

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": parse_database_url(os.environ["DATABASE_URL"])}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "lantian.sqlite3",
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the web server read while the HJ 212 gateway writes. synchronous=FULL syncs the
    # WAL at every commit: the gateway acknowledges an upload after its commit, and with NORMAL
    # a power cut could still lose the last acknowledged transactions.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
    )
    DATABASES["default"]["TEST"] = {"NAME": None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# django-axes first: it refuses a login from a user and address locked out after failed attempts.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("LANTIAN_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("LANTIAN_LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# List pages (django-tables2): the site's table look, scrolling in its own box on a phone.
DJANGO_TABLES2_TEMPLATE = "tables/table.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table"}

# The UI language is Chinese. Source strings are written in Chinese and wrapped in gettext,
# so a catalogue for another language can be added without touching code (README: i18n).
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
# Serve straight from the app and project static folders: no collectstatic step to forget.
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Evidence files are never served from MEDIA_URL directly: views check access first.
MEDIA_URL = "/media-not-served/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
LANTIAN_MAX_UPLOAD_BYTES = envint("LANTIAN_MAX_UPLOAD_BYTES", 50 * 1024 * 1024)
# The alarm ledger (Excel) exports every alarm of the filter, up to this many, else asks to narrow.
LANTIAN_ALARM_EXPORT_MAX = envint("LANTIAN_ALARM_EXPORT_MAX", 50_000)
LANTIAN_MAX_EVIDENCE_BYTES = envint("LANTIAN_MAX_EVIDENCE_BYTES", 20 * 1024 * 1024)
# The city whose unit registry resolves names in documents that do not say which city they are.
LANTIAN_DEFAULT_CITY = os.environ.get("LANTIAN_CITY", "西安市")
# ``setup --demo`` replays each line's monthly reports since its plan was issued; N > 0 keeps
# only the last N months (the test suite uses 2: same story, a fraction of the writes)
LANTIAN_DEMO_REPORT_MONTHS = envint("LANTIAN_DEMO_REPORT_MONTHS", 0)
# emergency: where enterprises' online monitoring readings come from (a dotted path to
# fn(mns, start, end), see emergency/readings.py); by default lantian's own HJ 212 readings.
LANTIAN_EMERGENCY_READINGS = os.environ.get(
    "LANTIAN_EMERGENCY_READINGS", "monitoring.episodes.readings_by_mn"
)

# --- HTTPS and sessions -----------------------------------------------------------------------
# LANTIAN_HTTPS=1 (the production configuration in README) turns on every HTTPS setting below;
# each can still be set on its own. Behind a TLS-terminating proxy also set
# SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https (only if the proxy overwrites that header).
HTTPS = envbool("LANTIAN_HTTPS", "false")
_https = "true" if HTTPS else "false"
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", _https)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", _https)
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", _https)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", _https)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", _https)
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    _header, _, _value = os.environ["SECURE_PROXY_SSL_HEADER"].partition(",")
    SECURE_PROXY_SSL_HEADER = (_header.strip(), _value.strip() or "https")
SESSION_COOKIE_HTTPONLY = True
# A working day by default; closing the browser does not end it unless asked.
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = envbool("SESSION_EXPIRE_AT_BROWSER_CLOSE", "false")
SESSION_COOKIE_SAMESITE = "Lax"

# audit: the key of the audit chain (``key-id:secret[,old-id:old-secret]``, audit/keys.py; empty:
# the public development key) and the append-only file of signed daily checkpoints of its head.
LANTIAN_AUDIT_KEY = os.environ.get("LANTIAN_AUDIT_KEY", "")
LANTIAN_AUDIT_CHECKPOINTS = Path(
    os.environ.get("LANTIAN_AUDIT_CHECKPOINTS", VAR_DIR / "audit" / "checkpoints.jsonl")
)

# monitoring: the key that encrypts the devices' SM4 keys at rest (``key-id:secret[,old…]``,
# monitoring/keyvault.py; empty: the public development key).
LANTIAN_SM4_VAULT_KEY = os.environ.get("LANTIAN_SM4_VAULT_KEY", "")

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "lantian@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LANTIAN_LOG_LEVEL", "WARNING")},
}
