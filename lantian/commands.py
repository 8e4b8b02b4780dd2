"""The list ``lantian --help`` prints, found without setting Django up.

Django builds it from every installed app's ``management/commands`` folder after
``django.setup()`` (about 1.5 s of imports); the same folders are found here from the module
names in ``INSTALLED_APPS``, and the text is laid out as Django lays it out.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import pkgutil


def _commands_in(folder: str) -> list[str]:
    path = os.path.join(folder, "management", "commands")
    return [
        name
        for _, name, is_package in pkgutil.iter_modules([path])
        if not is_package and not name.startswith("_")
    ]


def _app_folder(entry: str) -> tuple[str, str] | None:
    """(app module name, folder) of an ``INSTALLED_APPS`` entry (a module or an AppConfig)."""
    candidates = [entry]
    head, _, last = entry.rpartition(".")
    if head and last[:1].isupper():  # "pkg.apps.PkgConfig": the app is the package
        candidates.append(head.removesuffix(".apps"))
    for name in candidates:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        if spec and spec.submodule_search_locations:
            return name, list(spec.submodule_search_locations)[0]
    return None


def commands() -> dict[str, str]:
    """``{command: app}`` as ``django.core.management.get_commands`` gives it."""
    settings = importlib.import_module(os.environ.get("DJANGO_SETTINGS_MODULE", "lantian.settings"))
    core = importlib.util.find_spec("django.core").submodule_search_locations[0]
    found = {name: "django.core" for name in _commands_in(core)}
    for entry in reversed(list(getattr(settings, "INSTALLED_APPS", []))):
        app = _app_folder(entry)
        if app is not None:
            found.update({name: app[0] for name in _commands_in(app[1])})
    return found


def help_text(prog: str = "lantian") -> str:
    groups: dict[str, list[str]] = {}
    for name, app in commands().items():
        label = "django" if app == "django.core" else app.rpartition(".")[-1]
        groups.setdefault(label, []).append(name)
    lines = [
        "",
        f"Type '{prog} help <subcommand>' for help on a specific subcommand.",
        "",
        "Available subcommands:",
    ]
    for label in sorted(groups):
        lines += ["", f"[{label}]"] + [f"    {name}" for name in sorted(groups[label])]
    return "\n".join(lines)
