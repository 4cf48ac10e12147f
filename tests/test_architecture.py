"""The arrows of docs/ARCHITECTURE.md, read from the code's own imports.

Every import of a project module counts, wherever it stands (top of the file, inside a
function, under TYPE_CHECKING), so an arrow cannot be hidden.
"""

import ast
from pathlib import Path

import pytest
from django.conf import settings

REPO = Path(__file__).resolve().parent.parent

# The rooms and what each may import. Anything in loans/ outside the subject packages is the
# app's frame: ``permissions`` and ``choices`` (imported by all, import no room), and
# ``models``, ``admin``, ``tasks``, ``urls``, ``apps`` (gather the rooms for Django and Celery).
ALLOWED = {
    "portal": set(),
    "applicants": {"portal"},
    "loans.products": {"portal", "applicants", "loans.base"},
    "loans.programmes": {"portal", "applicants", "loans.base", "loans.products"},
    "loans.eligibility": {"portal", "applicants", "loans.base", "loans.products"},
    # An application needs its applicant's enrolment (issue 11): applications -> programmes.
    "loans.applications": {
        "portal",
        "applicants",
        "loans.base",
        "loans.products",
        "loans.programmes",
        "loans.eligibility",
    },
    "loans.servicing": {"portal", "applicants", "loans.base", "loans.products"},
    "loans.review": {
        "portal",
        "applicants",
        "loans.base",
        "loans.products",
        "loans.programmes",
        "loans.eligibility",
        "loans.applications",
        "loans.servicing",
    },
    "loans.reports": {
        "portal",
        "applicants",
        "loans.base",
        "loans.products",
        "loans.programmes",
        "loans.eligibility",
        "loans.applications",
        "loans.servicing",
        "loans.review",
        # The intermediary dimension (issue 16); lenders never imports reports.
        "loans.lenders",
    },
    # Partner lenders (issue 16) disburse and collect through the review and servicing services.
    "loans.lenders": {
        "portal",
        "applicants",
        "loans.base",
        "loans.products",
        "loans.programmes",
        "loans.eligibility",
        "loans.applications",
        "loans.servicing",
        "loans.review",
    },
    "loans.base": {"portal", "applicants"},  # loans.permissions, loans.choices
    "loans.frame": None,  # loans.models, admin, tasks, urls, apps, management, templatetags: anything
}
SUBJECTS = ("products", "programmes", "eligibility", "applications", "servicing", "review", "lenders", "reports")
# portal.urls mounts every app's URLs: the one place portal names an app.
EXCEPTIONS = {("portal.urls", "applicants"), ("portal.urls", "loans.frame")}


def room(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] in ("portal", "applicants"):
        return parts[0]
    if parts[0] != "loans":
        return None
    if len(parts) == 1:
        return "loans.frame"
    if parts[1] in SUBJECTS:
        return f"loans.{parts[1]}"
    if parts[1] in ("permissions", "choices"):
        return "loans.base"
    return "loans.frame"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str) -> bool:
    path = REPO.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                # ``from loans import permissions`` imports the module loans.permissions, not loans.
                found.add(f"{base}.{alias.name}" if is_module(f"{base}.{alias.name}") else base)
    return found


def arrows():
    for top in ("portal", "applicants", "loans"):
        for path in sorted((REPO / top).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            source = module_name(path)
            for target in imports_of(path):
                yield source, room(source), target, room(target)


def test_every_import_follows_an_allowed_arrow():
    wrong = set()
    for source, source_room, target, target_room in arrows():
        if target_room is None or target_room == source_room or ALLOWED[source_room] is None:
            continue
        if target_room not in ALLOWED[source_room] and (source, target_room) not in EXCEPTIONS:
            wrong.add(f"{source} -> {target} ({source_room} -> {target_room})")
    assert sorted(wrong) == []


@pytest.mark.parametrize("model_module", [f"loans/{subject}/models.py" for subject in SUBJECTS])
def test_loans_models_gathers_every_subject_model(model_module):
    gathered = (REPO / "loans/models.py").read_text()
    assert f"loans.{Path(model_module).parent.name}.models" in gathered


def test_no_setting_names_a_permission_of_an_app():
    assert not hasattr(settings, "PII_PERMISSION")


def test_applicants_never_names_an_app_that_depends_on_it():
    """Not even in a string (``settings.PII_PERMISSION = "loans.view_pii"`` was such a hidden arrow)."""
    named = []
    for path in sorted((REPO / "applicants").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "loans." in node.value:
                named.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert named == []


def test_the_loans_app_tells_applicants_who_sees_personal_data(django_user_model):
    from django.contrib.auth.models import Permission

    from applicants import pii

    officer = django_user_model.objects.create_user(email="o@example.com", password="x", is_staff=True)
    assert not pii.can_see_pii(officer)
    officer.user_permissions.add(Permission.objects.get(content_type__app_label="loans", codename="view_pii"))
    officer = django_user_model.objects.get(pk=officer.pk)
    assert pii.can_see_pii(officer)
