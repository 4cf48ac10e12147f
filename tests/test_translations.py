"""The Spanish catalog: every string translated, none missing from the source, compiled .mo current.

Spanish is the default language, so an untranslated msgid shows English to a returnee.
"""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils import translation

from tests import services

BASE_DIR = Path(settings.BASE_DIR)
PO_PATH = BASE_DIR / "locale" / "es" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")

# The same exclusions as the documented makemessages command, plus the catalog itself.
IGNORED_DIRS = {".venv", "staticfiles", "var", "tests", "benchmarks", "locale", "node_modules", "__pycache__"}
# makemessages reads only these for the "django" domain.
SOURCE_SUFFIXES = {".py", ".html", ".txt"}
NAMED_PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
GETTEXT_TOOLS = ("xgettext", "msgmerge", "msguniq")
FIX = (
    "Run: .venv/bin/python manage.py makemessages -l es -l en --no-location --ignore=.venv "
    "--ignore=staticfiles --ignore=var --ignore=tests --ignore=benchmarks, translate the msgstrs in "
    "locale/es/LC_MESSAGES/django.po, then .venv/bin/python manage.py compilemessages --ignore=.venv"
)


def _read_po(path: Path) -> Catalog:
    with path.open("rb") as fp:
        return read_po(fp, locale="es")


def _key(message: Message) -> tuple[str | None, str]:
    msgid = message.id[0] if isinstance(message.id, tuple | list) else message.id
    return message.context, msgid


def _is_translated(message: Message) -> bool:
    forms = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return not message.fuzzy and all(forms)


def _listing(keys: set[tuple[str | None, str]]) -> str:
    lines = []
    for context, msgid in sorted(keys, key=lambda key: (key[1], key[0] or "")):
        lines.append(f"  {msgid!r}" + (f" (context {context!r})" if context else ""))
    return "\n".join(lines)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return _read_po(PO_PATH)


def test_every_spanish_entry_is_translated(catalog):
    assert not catalog.fuzzy, "The header of the Spanish catalog is marked fuzzy; remove the flag."
    untranslated = {_key(message) for message in catalog if message.id and not _is_translated(message)}
    assert not untranslated, f"Untranslated or fuzzy Spanish entries:\n{_listing(untranslated)}\n{FIX}"


def _placeholders(texts) -> set[str]:
    return {match for text in texts if text for match in NAMED_PLACEHOLDER.findall(text)}


def test_translations_keep_the_placeholders(catalog):
    """A msgstr that drops or renames a %(name)s raises KeyError, or loses the value, only in Spanish."""
    problems = []
    for message in catalog:
        if not message.id or not _is_translated(message):
            continue
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        forms = message.string if isinstance(message.string, tuple | list) else (message.string,)
        expected = _placeholders(ids)
        # A plural form may leave out the count (Spanish "un archivo"), never add an unknown name.
        wrong = [form for form in forms if not _placeholders([form]) <= expected]
        if len(ids) == 1 and _placeholders(forms) != expected:
            wrong = list(forms)
        if wrong:
            problems.append(f"  {ids[0]!r}: expected {sorted(expected)}, msgstr {wrong!r}")
    assert not problems, "Spanish msgstrs whose placeholders differ from the msgid:\n" + "\n".join(problems)


def _copy_sources(destination: Path) -> None:
    def ignore(directory: str, names: list[str]) -> set[str]:
        return {
            name
            for name in names
            if name in IGNORED_DIRS
            or name.startswith(".")
            or (Path(directory, name).is_file() and Path(name).suffix not in SOURCE_SUFFIXES)
        }

    shutil.copytree(BASE_DIR, destination, ignore=ignore)


@pytest.fixture(scope="module")
def catalog_from_source(tmp_path_factory) -> Catalog:
    """A fresh catalog extracted from a copy of the source, so the committed one is never touched."""
    missing_tools = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]
    if missing_tools:
        reason = f"GNU gettext is not installed ({', '.join(missing_tools)} missing): apt-get install gettext"
        if services.CI:
            pytest.fail(f"CI=true and {reason}", pytrace=False)
        pytest.skip(reason)
    project = tmp_path_factory.mktemp("messages") / "project"
    _copy_sources(project)
    command = [sys.executable, "manage.py", "makemessages", "-l", "es", "--no-location"]
    command += [f"--ignore={name}" for name in sorted(IGNORED_DIRS)]
    result = subprocess.run(command, cwd=project, env=os.environ.copy(), capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"makemessages failed:\n{result.stdout}\n{result.stderr}"
    regenerated = project / "locale" / "es" / "LC_MESSAGES" / "django.po"
    assert regenerated.exists(), f"makemessages wrote no catalog under the copy:\n{result.stdout}\n{result.stderr}"
    return _read_po(regenerated)


def test_catalog_has_every_string_in_the_source(catalog, catalog_from_source):
    committed = {_key(message) for message in catalog if message.id}
    missing = {_key(message) for message in catalog_from_source if message.id} - committed
    assert not missing, f"Strings in the source that the Spanish catalog lacks:\n{_listing(missing)}\n{FIX}"


def test_catalog_has_no_string_the_source_dropped(catalog, catalog_from_source):
    in_source = {_key(message) for message in catalog_from_source if message.id}
    dropped = {_key(message) for message in catalog if message.id} - in_source
    assert not dropped, f"Spanish entries no longer in the source:\n{_listing(dropped)}\n{FIX}"


def _mo_key(context: str | None, msgid: str) -> str:
    return f"{context}\x04{msgid}" if context else msgid


def test_compiled_catalog_matches_the_po(catalog):
    assert MO_PATH.exists(), f"{MO_PATH.relative_to(BASE_DIR)} is missing. {FIX}"
    expected: dict[str | tuple[str, int], str] = {}
    for message in catalog:
        if not message.id or not _is_translated(message):
            continue
        context, msgid = _key(message)
        if isinstance(message.string, tuple | list):
            for index, form in enumerate(message.string):
                expected[(_mo_key(context, msgid), index)] = form
        else:
            expected[_mo_key(context, msgid)] = message.string
    with MO_PATH.open("rb") as fp:
        compiled = dict(gettext.GNUTranslations(fp)._catalog)
    compiled.pop("", None)  # the header
    stale = sorted(repr(key) for key in expected.keys() | compiled.keys() if expected.get(key) != compiled.get(key))
    assert not stale, "django.mo differs from django.po for:\n  " + "\n  ".join(stale) + f"\n{FIX}"


def test_spanish_is_served_at_runtime():
    with translation.override("es"):
        assert translation.gettext("Log in") == "Ingresar"
        assert translation.gettext("Confirm your email for Retorno Productivo") == (
            "Confirme su correo para Retorno Productivo"
        )
