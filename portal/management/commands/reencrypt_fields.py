"""Key rotation, step 2: re-encrypt every encrypted value under the current key (docs/OPERATIONS.md).

After a new DJANGO_SECRET_KEY (old one in DJANGO_SECRET_KEY_FALLBACKS) or a new first
FIELD_ENCRYPTION_SALT, every value still decrypts through the older keys; this rewrites each
row under the first key, one locked row at a time, safe while the site runs. ``--check``
only counts the values not yet under the current key and exits 1 while any is left.
"""

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from encrypted_fields.fields import EncryptedFieldMixin


def encrypted_fields():
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedFieldMixin)]
        if fields:
            yield model, fields


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field under the current key; --check counts what is left."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="count values not under the current key")

    def handle(self, *args, check=False, **options):
        if check:
            stale = 0
            for model, fields in encrypted_fields():
                for field in fields:
                    current = Fernet(field.keys[0])
                    for token in _raw_tokens(model, field):
                        try:
                            current.decrypt(token.encode())
                        except InvalidToken:
                            stale += 1
            self.stdout.write(f"{stale} values are not yet under the current key")
            if stale:
                raise CommandError("run `manage.py reencrypt_fields` (without --check)")
            return
        for model, fields in encrypted_fields():
            names = [f.name for f in fields]
            rows = 0
            for pk in model._base_manager.values_list("pk", flat=True).iterator():
                with transaction.atomic():
                    row = model._base_manager.select_for_update().only(*names).get(pk=pk)
                    model._base_manager.filter(pk=pk).update(**{name: getattr(row, name) for name in names})
                rows += 1
            self.stdout.write(f"{model._meta.label}: re-encrypted {', '.join(names)} in {rows} rows")


def _raw_tokens(model, field):
    """The stored ciphertexts, as the database holds them (not decrypted)."""
    table, column = connection.ops.quote_name(model._meta.db_table), connection.ops.quote_name(field.column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE {column} <> ''")  # noqa: S608 - model metadata
        return [token for (token,) in cursor.fetchall() if token]
