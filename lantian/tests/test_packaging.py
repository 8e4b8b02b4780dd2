"""Every app folder is part of the installed package.

``pyproject.toml`` lists the packages to install by name; an app added without its name there
imports from the checkout's folder (tests run there) but not from ``lantian`` run anywhere else:
``lantian migrate`` from another directory ended in "No module named 'onemap'".
"""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def test_every_local_app_is_in_the_package_list():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["packages"]["find"]["include"]
    local = {
        app.name.split(".")[0]
        for app in apps.get_app_configs()
        if Path(app.path).resolve().parent == ROOT.resolve()  # an app folder of the checkout
    }
    assert "onemap" in local and "ledger" in local
    missing = sorted(n for n in local if not any(fnmatch.fnmatch(n, p) for p in patterns))
    assert missing == [], f"add to [tool.setuptools.packages.find] include: {missing}"
