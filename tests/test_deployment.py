"""The production shape: Dockerfile, docker-compose.yml and .env.example agree with the code.

No Docker engine runs here, so these tests read the files and check each reference against
what the code really provides: importable modules, environment variables the settings read,
queues the routes use, files that exist. Production settings themselves are loaded in
subprocesses, with the secrets they demand.
"""

from __future__ import annotations

import ast
import fnmatch
import http.client
import importlib
import json
import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
import threading
from functools import cache
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
import yaml
from celery.app.utils import find_app
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

REPO = Path(__file__).resolve().parent.parent
SETTINGS_DIR = REPO / "portal" / "settings"
WORKER_SERVICES = ("worker-default", "worker-notifications", "worker-eligibility", "worker-exports")
APP_SERVICES = ("migrate", "web", *WORKER_SERVICES, "beat")
# The only names in compose and .env.example that our code does not read: the postgres image's.
POSTGRES_IMAGE_ENV = {"POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD"}
# Variables other images read from their own environment (set from the app's S3 credentials).
IMAGE_ENV = {
    "db": POSTGRES_IMAGE_ENV,
    "minio": {"MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD"},
    "bucket": {"MC_HOST_store"},
}

# What an operator must provide; strong dummies so that `check --deploy` judges the settings.
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
    "FIELD_ENCRYPTION_SALT": secrets.token_hex(16),
    "BLIND_INDEX_KEY": secrets.token_hex(32),
    "DATABASE_URL": "sqlite:////tmp/x.sqlite3",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_HOST": "localhost",
    "SITE_URL": "https://retorno.example",
    "DJANGO_ALLOWED_HOSTS": "retorno.example",
}


# --- reading the code and the files ---------------------------------------------------


def _env_name(call: ast.Call) -> str | None:
    """The variable name if this call reads the environment: env(...), env.<cast>(...), os.environ.get(...)."""
    func = call.func
    reads = (
        (isinstance(func, ast.Name) and func.id == "env")
        or (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "env")
        or (isinstance(func, ast.Attribute) and ast.unparse(func.value) == "os.environ")
        or ast.unparse(func) == "os.getenv"
    )
    if not reads or not call.args or (isinstance(func, ast.Attribute) and func.attr == "read_env"):
        return None
    first = call.args[0]
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None


def _has_default(call: ast.Call) -> bool:
    if ast.unparse(call.func).startswith(("os.environ", "os.getenv")):
        return True
    return any(keyword.arg == "default" for keyword in call.keywords)


@cache
def _env_reads(path: Path) -> dict[str, bool]:
    """{name: required} for one module; required if any read of the name has no default."""
    reads: dict[str, bool] = {}
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and (name := _env_name(node)):
            reads[name] = reads.get(name, False) or not _has_default(node)
        elif (
            isinstance(node, ast.Subscript)
            and ast.unparse(node.value) == "os.environ"
            and isinstance(node.slice, ast.Constant)
        ):
            reads[node.slice.value] = True
    return reads


def _settings_chain(module: str) -> list[Path]:
    """A settings module and the sibling modules it imports from (production -> base)."""
    path = SETTINGS_DIR / f"{module}.py"
    chain = [path]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            chain += [p for p in _settings_chain(node.module) if p not in chain]
    return chain


def names_read_by_code() -> set[str]:
    modules = [*SETTINGS_DIR.glob("*.py"), *(REPO / "portal").glob("*.py"), REPO / "manage.py"]
    return {name for path in modules for name in _env_reads(path)}


def production_reads() -> dict[str, bool]:
    reads: dict[str, bool] = {}
    for path in _settings_chain("production"):
        for name, required in _env_reads(path).items():
            reads[name] = reads.get(name, False) or required
    return reads


def production_required() -> set[str]:
    return {name for name, required in production_reads().items() if required}


@cache
def compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def compose_interpolated() -> set[str]:
    text = (REPO / "docker-compose.yml").read_text()
    return set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", text))


def env_example() -> dict[str, list[tuple[int, str]]]:
    """.env.example entries: {"active": [(line, name)], "commented": [(line, name)]}."""
    entries: dict[str, list[tuple[int, str]]] = {"active": [], "commented": []}
    for number, line in enumerate((REPO / ".env.example").read_text().splitlines()):
        if match := re.match(r"^([A-Z][A-Z0-9_]*)=", line):
            entries["active"].append((number, match[1]))
        elif match := re.match(r"^#\s*([A-Z][A-Z0-9_]*)=", line):
            entries["commented"].append((number, match[1]))
    return entries


def env_example_names() -> set[str]:
    return {name for entries in env_example().values() for _, name in entries}


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of every instruction, continuation lines joined."""
    text = (REPO / "Dockerfile").read_text()
    logical = re.sub(r"\\\n", " ", "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")))
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1].strip() if " " in line.strip() else "")
        for line in logical.splitlines()
        if line.strip()
    ]


def final_stage() -> list[tuple[str, str]]:
    instructions = dockerfile_instructions()
    last_from = max(i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM")
    return instructions[last_from:]


def dockerfile_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for keyword, arguments in final_stage():
        if keyword == "ENV":
            env.update(token.split("=", 1) for token in shlex.split(arguments))
    return env


def service_commands() -> dict[str, str]:
    commands = {}
    for name, service in compose()["services"].items():
        for key in ("command", "entrypoint"):
            value = service.get(key)
            if value:
                commands[f"{name}.{key}"] = value if isinstance(value, str) else shlex.join(value)
        test = service.get("healthcheck", {}).get("test")
        if test:
            commands[f"{name}.healthcheck"] = test if isinstance(test, str) else shlex.join(test[1:])
    for keyword, arguments in dockerfile_instructions():
        if keyword in {"CMD", "ENTRYPOINT"}:
            commands[f"Dockerfile {keyword}"] = shlex.join(json.loads(arguments))
    return commands


def clean_environ(**extra: str) -> dict[str, str]:
    """A bare environment plus ``extra``, as a container would start.

    Nothing else is inherited: the test settings put dummy secrets into os.environ, and other
    conftests set variables (DJANGO_ALLOW_ASYNC_UNSAFE) that production must never see.
    """
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR") if key in os.environ}
    env.update(extra)
    return env


def run_manage(*args: str, env: dict[str, str], cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


# --- docker-compose.yml -----------------------------------------------------------------


def test_compose_has_the_production_services():
    assert set(compose()["services"]) == {"db", "redis", "minio", "bucket", "proxy", *APP_SERVICES}


@pytest.mark.parametrize(("service", "image", "major"), [("db", "postgres", 16), ("redis", "redis", 7)])
def test_compose_pins_the_backing_service_major_versions(service, image, major):
    name, _, tag = compose()["services"][service]["image"].partition(":")
    assert name == image
    assert int(re.match(r"\d+", tag)[0]) == major


@pytest.mark.parametrize("service", ["db", "redis", "minio", "web"])
def test_every_depended_on_service_has_a_healthcheck(service):
    assert compose()["services"][service]["healthcheck"]["test"]


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_services_run_production_settings_from_env_file_after_healthy_dependencies(service):
    definition = compose()["services"][service]
    assert definition["environment"]["DJANGO_SETTINGS_MODULE"] == "portal.settings.production"
    assert definition["env_file"] in (".env", [".env"])
    dependencies = definition["depends_on"]
    assert "db" in dependencies
    if service != "migrate":
        assert {"db", "redis", "minio", "migrate"} <= set(dependencies)
        assert dependencies["migrate"] == {"condition": "service_completed_successfully"}
    assert all(
        condition in ({"condition": "service_healthy"}, {"condition": "service_completed_successfully"})
        for condition in dependencies.values()
    )


def test_migrations_run_once_before_any_web_replica_or_worker_starts():
    assert service_commands()["migrate.command"] == "python manage.py migrate --noinput"
    assert compose()["services"]["migrate"]["restart"] == "no"
    assert compose()["services"]["migrate"]["depends_on"]["bucket"] == {"condition": "service_completed_successfully"}
    for name, command in service_commands().items():
        if name != "migrate.command":
            assert "migrate" not in command, name


def test_web_runs_at_least_two_replicas_of_the_wsgi_application_behind_the_proxy():
    web = compose()["services"]["web"]
    assert web["deploy"]["replicas"] >= 2
    assert "&& exec gunicorn portal.wsgi:application" in service_commands()["web.command"]
    assert "--bind 0.0.0.0:8000" in dockerfile_env()["GUNICORN_CMD_ARGS"]
    # Nothing pins a replica: no published port, no container name, no local volume for files.
    assert "ports" not in web and "container_name" not in web
    assert all(not volume.startswith("uploads") for volume in web.get("volumes", []))


def test_the_proxy_terminates_tls_and_balances_over_every_web_replica():
    proxy = compose()["services"]["proxy"]
    assert proxy["image"].startswith("caddy:2")
    assert {"80:80", "443:443"} <= set(proxy["ports"])
    assert proxy["depends_on"]["web"] == {"condition": "service_healthy"}
    assert "./docker/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    caddyfile = (REPO / "docker" / "Caddyfile").read_text()
    assert caddyfile.splitlines()[2] == "{$SITE_URL} {"  # SITE_URL (https://...) from .env: automatic TLS
    assert "dynamic a web 8000" in caddyfile  # every replica Docker's DNS resolves
    assert "header_up X-Request-ID {http.request.uuid}" in caddyfile
    assert re.search(r"@metrics path /metrics /metrics/\*\n\trespond @metrics 404", caddyfile)


def test_no_service_but_the_proxy_publishes_a_port():
    published = {name for name, service in compose()["services"].items() if service.get("ports")}
    assert published == {"proxy"}


def test_one_worker_service_per_queue_covers_every_queue_the_routes_use():
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()} | {settings.CELERY_TASK_DEFAULT_QUEUE}
    consumed = {}
    for service in WORKER_SERVICES:
        command = shlex.split(service_commands()[f"{service}.command"])
        assert command[:4] == ["celery", "-A", "portal", "worker"]
        queues = command[command.index("-Q") + 1].split(",")
        assert len(queues) == 1, f"{service} consumes {queues}: one queue per service scales on its own"
        assert service == f"worker-{queues[0]}"
        assert command[command.index("-n") + 1] == f"{queues[0]}@%h"  # unique names when scaled
        consumed[service] = queues[0]
    assert set(consumed.values()) == routed == {"default", "notifications", "eligibility", "exports"}


def test_exactly_one_beat():
    assert compose()["services"]["beat"]["deploy"]["replicas"] == 1
    beats = [name for name, command in service_commands().items() if re.search(r"celery -A portal beat", command)]
    assert beats == ["beat.command"]


def test_minio_keeps_a_private_bucket_with_the_apps_credentials():
    minio = compose()["services"]["minio"]
    assert minio["environment"]["MINIO_ROOT_USER"].startswith("${S3_ACCESS_KEY_ID")
    assert minio["environment"]["MINIO_ROOT_PASSWORD"].startswith("${S3_SECRET_ACCESS_KEY")
    assert "ports" not in minio
    bucket = service_commands()["bucket.entrypoint"]
    assert "mc mb --ignore-existing store/${S3_BUCKET" in bucket
    assert "mc anonymous set none store/${S3_BUCKET}" in bucket


def test_production_stores_files_in_the_bucket_and_sessions_in_redis():
    script = (
        "import json; from django.conf import settings as s; print(json.dumps({"
        "'storage': s.STORAGES['default'], 'sessions': s.SESSION_ENGINE, 'databases': sorted(s.DATABASES)}))"
    )
    env = clean_environ(
        **PRODUCTION_ENV,
        S3_BUCKET="retorno-documents",
        S3_ENDPOINT_URL="http://minio:9000",
        S3_ACCESS_KEY_ID="retorno",
        S3_SECRET_ACCESS_KEY="a-long-secret",
        DATABASE_REPLICA_URL="postgres://reader:pw@replica:5432/retorno",
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert loaded["storage"]["BACKEND"] == "storages.backends.s3.S3Storage"
    options = loaded["storage"]["OPTIONS"]
    assert (options["bucket_name"], options["endpoint_url"]) == ("retorno-documents", "http://minio:9000")
    assert (options["default_acl"], options["querystring_auth"], options["file_overwrite"]) == ("private", True, False)
    assert options["querystring_expire"] == 60
    assert loaded["sessions"] == "django.contrib.sessions.backends.cached_db"
    assert loaded["databases"] == ["default", "replica"]


def test_beat_uses_the_database_scheduler_the_settings_name():
    command = shlex.split(service_commands()["beat.command"])
    assert command[:4] == ["celery", "-A", "portal", "beat"]
    assert command[command.index("--scheduler") + 1] == settings.CELERY_BEAT_SCHEDULER


def test_every_celery_app_named_in_a_command_is_a_celery_app():
    apps = {app for command in service_commands().values() for app in re.findall(r"celery -A ([\w.]+)", command)}
    assert apps == {"portal"}
    for app in apps:
        assert find_app(app).main == "portal"


def test_every_python_object_path_in_a_command_is_importable():
    paths = {
        match
        for command in service_commands().values()
        for match in re.findall(r"\b([a-z_]\w*(?:\.[a-z_]\w*)+):([A-Za-z_]\w*)\b", command)
    }
    assert ("portal.wsgi", "application") in paths
    assert ("django_celery_beat.schedulers", "DatabaseScheduler") in paths
    for module, attribute in paths:
        assert callable(getattr(importlib.import_module(module), attribute)), f"{module}:{attribute}"


def test_every_file_a_command_runs_exists_in_the_image():
    workdir = PurePosixPath(next(args for keyword, args in reversed(final_stage()) if keyword == "WORKDIR"))
    files = {path for command in service_commands().values() for path in re.findall(r"[\w./-]+\.(?:py|sh)\b", command)}
    assert {"manage.py", "docker/healthcheck.py"} <= files
    for token in files:
        path = PurePosixPath(token)
        relative = path.relative_to(workdir) if path.is_absolute() else path
        assert (REPO / relative).is_file(), token
        assert not dockerignored(str(relative)), f"{token} is left out of the build context"


def test_writable_directories_live_outside_the_code_and_backups_on_a_named_volume():
    workdir = PurePosixPath(next(args for keyword, args in reversed(final_stage()) if keyword == "WORKDIR"))
    for name in ("MEDIA_ROOT", "BACKUP_DIR"):
        assert not PurePosixPath(dockerfile_env()[name]).is_relative_to(workdir)
    for service in APP_SERVICES:
        mounts = dict(volume.split(":", 1) for volume in compose()["services"][service]["volumes"])
        assert mounts == {"backups": dockerfile_env()["BACKUP_DIR"]}
    assert {"postgres-data", "minio-data", "backups"} <= set(compose()["volumes"])
    assert "postgres-data:/var/lib/postgresql/data" in compose()["services"]["db"]["volumes"]
    assert any("postgresql-client" in args for keyword, args in final_stage() if keyword == "RUN")


# --- environment variables --------------------------------------------------------------


def test_the_scan_finds_the_production_secrets():
    required = production_required()
    assert {"DJANGO_SECRET_KEY", "FIELD_ENCRYPTION_SALT", "BLIND_INDEX_KEY", "DATABASE_URL"} <= required
    assert "CONN_MAX_AGE" not in required


def test_every_environment_name_compose_sets_is_read_by_the_code():
    read = names_read_by_code()
    for name in compose_interpolated():
        assert name in read | POSTGRES_IMAGE_ENV, f"${{{name}}} in docker-compose.yml is read by nothing"
    for service_name, service in compose()["services"].items():
        allowed = IMAGE_ENV.get(service_name, read)
        for name in service.get("environment", {}):
            assert name in allowed, f"{service_name}: {name} is read by nothing"


def test_every_name_in_env_example_is_read_by_the_code_or_by_compose():
    unknown = env_example_names() - names_read_by_code() - (compose_interpolated() & POSTGRES_IMAGE_ENV)
    assert not unknown, f".env.example lists names nothing reads: {sorted(unknown)}"


def test_env_example_sets_every_variable_production_requires():
    active = {name for _, name in env_example()["active"]}
    missing = production_required() - active
    assert not missing, f".env.example must set {sorted(missing)}"
    assert compose_interpolated() <= active


def test_env_example_lists_every_variable_production_reads():
    missing = set(production_reads()) - env_example_names()
    assert not missing, f".env.example does not mention {sorted(missing)}"


def test_docs_settings_describes_every_variable_the_code_reads():
    table = (REPO / "docs" / "SETTINGS.md").read_text()
    missing = {name for name in names_read_by_code() if f"`{name}`" not in table}
    assert not missing, f"docs/SETTINGS.md does not describe {sorted(missing)}"


def test_env_example_explains_each_variable():
    lines = (REPO / ".env.example").read_text().splitlines()
    entries = [entry for group in env_example().values() for entry in group]
    for number, name in entries:
        above = lines[number - 1]
        assert above.startswith("#") and not re.match(r"^#\s*[A-Z][A-Z0-9_]*=", above), f"{name} has no comment"


# --- Dockerfile ---------------------------------------------------------------------------


def dockerignored(relative: str) -> bool:
    patterns = [
        line.strip()
        for line in (REPO / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    parts = PurePosixPath(relative).parts
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in patterns:
        if pattern.startswith("**/"):
            if any(fnmatch.fnmatch(part, pattern[3:]) for part in parts):
                return True
        elif any(fnmatch.fnmatch(prefix, pattern.strip("/")) for prefix in prefixes):
            return True
    return False


def test_the_image_runs_python_3_11_slim_as_a_non_root_user():
    stage = final_stage()
    assert stage[0] == ("FROM", "python:3.11-slim")
    user = [args for keyword, args in stage if keyword == "USER"][-1]
    assert user not in {"root", "0"}
    assert json.loads(dict(stage)["CMD"]) == ["gunicorn", "portal.wsgi:application"]


def test_the_image_installs_the_hashed_requirements():
    runs = [args for keyword, args in dockerfile_instructions() if keyword == "RUN"]
    assert "pip install --require-hashes -r requirements.txt" in runs
    requirements = (REPO / "requirements.txt").read_text().lower()
    for program in ("gunicorn", "celery"):
        pinned = re.search(rf"^{program}==[\w.]+ \\\n\s+--hash=sha256:[0-9a-f]{{64}}", requirements, re.MULTILINE)
        assert pinned, program


def test_every_file_the_dockerfile_copies_from_the_context_exists():
    for keyword, arguments in dockerfile_instructions():
        if keyword == "COPY" and not arguments.startswith("--from"):
            for source in shlex.split(arguments)[:-1]:
                assert (REPO / source).exists(), source
                assert source == "." or not dockerignored(source), source


@pytest.mark.parametrize("name", [".env", ".git", ".venv", "db.sqlite3", "test-db.sqlite3", "staticfiles"])
def test_secrets_and_local_state_stay_out_of_the_build_context(name):
    assert dockerignored(name)


@pytest.mark.parametrize(
    "path",
    [
        "manage.py",
        "portal/settings/production.py",
        "static/portal/css/portal.css",
        "templates/base.html",
        "locale/es/LC_MESSAGES/django.mo",
        "applicants/data/divipola_municipalities.csv",
    ],
)
def test_the_build_context_keeps_what_the_image_needs(path):
    assert not dockerignored(path)


def test_the_collectstatic_step_succeeds_with_its_dummy_values(tmp_path):
    """Replays the Dockerfile's collectstatic RUN on a copy of the build context."""
    (step,) = [args for keyword, args in dockerfile_instructions() if keyword == "RUN" and "collectstatic" in args]
    tokens = shlex.split(step)
    assignments = [token for token in tokens if re.match(r"^[A-Z_]+=", token)]
    command = tokens[len(assignments) :]
    assert command == ["python", "manage.py", "collectstatic", "--noinput"]
    build_env = dict(assignment.split("=", 1) for assignment in assignments)
    assert build_env["DJANGO_SETTINGS_MODULE"] == "portal.settings.production"

    context = tmp_path / "app"
    shutil.copytree(
        REPO, context, ignore=lambda folder, names: [n for n in names if _ignored_in_copy(Path(folder) / n)]
    )
    result = run_manage("collectstatic", "--noinput", env=clean_environ(**build_env), cwd=context)
    assert result.returncode == 0, result.stderr
    assert (context / "staticfiles" / "staticfiles.json").is_file()
    assert (context / "staticfiles" / "portal" / "css" / "portal.css").is_file()


def _ignored_in_copy(path: Path) -> bool:
    return dockerignored(path.relative_to(REPO).as_posix())


# --- production settings, loaded for real -----------------------------------------------


def test_production_settings_pass_the_deploy_check_at_warning_level():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=clean_environ(**PRODUCTION_ENV))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_as_loaded():
    script = (
        "import json; from django.conf import settings as s; print(json.dumps({"
        "'debug': s.DEBUG, 'hasher': s.PASSWORD_HASHERS[0], 'eager': s.CELERY_TASK_ALWAYS_EAGER, "
        "'broker': s.CELERY_BROKER_URL, 'cache': s.CACHES['default']['BACKEND'], "
        "'fallbacks': s.SECRET_KEY_FALLBACKS, 'log': s.LOGGING['handlers']['console']['formatter']}))"
    )
    env = clean_environ(**PRODUCTION_ENV, DJANGO_DEBUG="True", DJANGO_SECRET_KEY_FALLBACKS="old-one,older-one")
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "debug": False,
        "hasher": "django.contrib.auth.hashers.Argon2PasswordHasher",
        "eager": False,
        "broker": PRODUCTION_ENV["REDIS_URL"],
        "cache": "portal.cache.FaultTolerantRedisCache",
        "fallbacks": ["old-one", "older-one"],
        "log": "json",
    }


@pytest.mark.parametrize("name", ["DJANGO_SECRET_KEY", "BLIND_INDEX_KEY", "FIELD_ENCRYPTION_SALT"])
@pytest.mark.parametrize("value", ["", "short-but-random-Zq8", "replace-with-a-long-random-secret-key-0123456789"])
def test_production_settings_refuse_weak_secrets(name, value):
    result = run_manage("check", env=clean_environ(**{**PRODUCTION_ENV, name: value}))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr


@pytest.mark.parametrize("name", sorted(production_required()))
def test_production_settings_refuse_to_start_without(name):
    env = clean_environ(**PRODUCTION_ENV)
    del env[name]
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert f"Set the {name} environment variable" in result.stderr


def test_the_refusal_covers_the_three_keys():
    assert {"DJANGO_SECRET_KEY", "BLIND_INDEX_KEY", "FIELD_ENCRYPTION_SALT"} <= production_required()


# --- docker/healthcheck.py ----------------------------------------------------------------


class _QuietRequestHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def production_like_url(db, settings):
    """/healthz behind the two production settings a naive probe trips over.

    A fresh WSGIHandler, because SecurityMiddleware reads SECURE_SSL_REDIRECT when it is built.
    """
    settings.ALLOWED_HOSTS = ["retorno.example"]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.REDIS_URL = ""
    server = make_server("127.0.0.1", 0, WSGIHandler(), handler_class=_QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/healthz"
    server.shutdown()
    server.server_close()
    thread.join()


def _probe(url: str, allowed_hosts: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "docker/healthcheck.py", url],
        cwd=REPO,
        env=clean_environ(DJANGO_ALLOWED_HOSTS=allowed_hosts),
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_a_naive_probe_would_be_redirected_to_https(production_like_url):
    target = urlsplit(production_like_url)
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=5)
    connection.request("GET", target.path, headers={"Host": "retorno.example"})
    response = connection.getresponse()
    connection.close()
    assert response.status == 301
    assert response.getheader("Location") == "https://retorno.example/healthz"


def test_the_web_healthcheck_passes_the_host_check_and_the_https_redirect(production_like_url):
    result = _probe(production_like_url, allowed_hosts=".retorno.example,other.example")
    assert result.returncode == 0, result.stderr


def test_the_web_healthcheck_fails_on_a_refused_host(production_like_url):
    result = _probe(production_like_url, allowed_hosts="elsewhere.example")
    assert result.returncode == 1
    assert "answered 400" in result.stderr


def test_the_web_healthcheck_fails_when_nothing_listens():
    result = _probe("http://127.0.0.1:1/healthz", allowed_hosts="retorno.example")
    assert result.returncode == 1
    assert "healthcheck:" in result.stderr
