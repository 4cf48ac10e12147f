"""Store every existing address in its one spelling (applicants.emails.normalize_email).

An address whose spelling would collide with another account's is left as it is and counted
in the output: an officer decides which account is the person's (never merged silently).
"""

from django.db import migrations

from applicants.emails import normalize_email


def normalise(apps, schema_editor):
    User = apps.get_model("applicants", "User")
    taken = set(User.objects.values_list("email", flat=True))
    collisions = 0
    for pk, email in User.objects.values_list("pk", "email").iterator():
        canonical = normalize_email(email)
        if canonical == email:
            continue
        if canonical in taken:
            collisions += 1
            continue
        User.objects.filter(pk=pk).update(email=canonical)
        taken.discard(email)
        taken.add(canonical)
    if collisions:
        print(f"\n  {collisions} address(es) left unnormalised: another account already has that spelling.")


class Migration(migrations.Migration):
    dependencies = [("applicants", "0004_last_name_prefix_index")]

    operations = [migrations.RunPython(normalise, migrations.RunPython.noop)]
