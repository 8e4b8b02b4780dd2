#!/usr/bin/env bash
# The whole test run behind `make test`: lint, migrations, pytest on SQLite, then on PostgreSQL.
# CI=true makes the PostgreSQL pass and the browser tests mandatory.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
BIN="$VENV/bin"
CI=${CI:-false}

step() { printf '\n== %s\n' "$*"; }

step "ruff check"
"$BIN/ruff" check .
step "ruff format --check"
"$BIN/ruff" format --check .

mkdir -p var
step "makemigrations --check"
env -u DATABASE_URL "$BIN/lantian" makemigrations --check --dry-run

# Browser tests need Debian's Chromium; install it when we can.
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    step "installing Chromium for the browser tests (apt)"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk) >/dev/null \
      || echo "could not install chromium with apt; browser tests will skip"
  else
    echo "Chromium is missing and this is not root: browser tests will be skipped"
  fi
fi

# The 调度通报 PDF test needs LibreOffice, poppler's pdftoppm and a CJK font.
if ! command -v soffice >/dev/null || ! command -v pdftoppm >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    step "installing LibreOffice, poppler-utils and fonts-noto-cjk for the report tests (apt)"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-writer poppler-utils fonts-noto-cjk) >/dev/null \
      || echo "could not install LibreOffice with apt; the PDF test will skip"
  else
    echo "LibreOffice or pdftoppm is missing and this is not root: the PDF test will be skipped"
  fi
fi

# The bus tests run their own nats-server (JetStream) on a free port.
if ! command -v nats-server >/dev/null && [ ! -x /usr/sbin/nats-server ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    step "installing nats-server for the bus tests (apt)"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nats-server) >/dev/null \
      || echo "could not install nats-server with apt; the bus tests will fail under CI"
  else
    echo "nats-server is missing and this is not root: the bus tests will be skipped"
  fi
fi

# Both cores (or LANTIAN_TEST_WORKERS): each worker has its own test database.
WORKERS=(-n "${LANTIAN_TEST_WORKERS:-auto}")

# CI runs schemathesis against the live API as the office (every operation, every phase) in the
# SQLite pass; the other roles' refusals are the access-matrix tests' job. By hand:
# LANTIAN_SCHEMATHESIS=1 [LANTIAN_SCHEMATHESIS_ROLES=office,anonymous,…] make test
if [ "$CI" = true ]; then
  export LANTIAN_SCHEMATHESIS=${LANTIAN_SCHEMATHESIS:-1}
  export LANTIAN_SCHEMATHESIS_ROLES=${LANTIAN_SCHEMATHESIS_ROLES:-office}
fi

step "pytest on SQLite"
env -u DATABASE_URL "$BIN/pytest" -q "${WORKERS[@]}" "$@"

# PostgreSQL: DATABASE_URL if given, else the local server on 127.0.0.1:5432.
PG_URL=${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/lantian}
pg_up() { "$BIN/python" scripts/pg_reachable.py "$PG_URL"; }
if ! pg_up && [ "$CI" = true ] && command -v pg_ctlcluster >/dev/null; then
  step "starting the local PostgreSQL server"
  for version in $(ls /etc/postgresql 2>/dev/null); do
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  done
  for _ in $(seq 1 20); do pg_up && break; sleep 1; done
fi
if pg_up; then
  step "pytest on PostgreSQL ($PG_URL)"
  DATABASE_URL="$PG_URL" LANTIAN_SCHEMATHESIS=0 "$BIN/pytest" -q "${WORKERS[@]}" "$@"
elif [ "$CI" = true ]; then
  echo "CI=true but PostgreSQL is not reachable at $PG_URL" >&2
  exit 1
else
  echo "PostgreSQL not reachable at $PG_URL: skipped the PostgreSQL pass"
fi
