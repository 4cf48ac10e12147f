"""Key rotation of BLIND_INDEX_KEY: recompute every blind index under the current key (docs/OPERATIONS.md).

Profiles get their document-number and phone indexes recomputed from the decrypted values;
applications' frozen profiles (as submitted) are mapped from each old index to its new one.
Run it in a short maintenance window, right after changing the key, while the encrypted
fields still decrypt. Running it twice changes nothing the second time.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from applicants import crypto
from applicants.models import ReturneeProfile
from loans.applications.models import LoanApplication


class Command(BaseCommand):
    help = "Recompute the blind indexes (document number, phone) under the current BLIND_INDEX_KEY."

    def handle(self, *args, **options):
        new_index: dict[str, str] = {}
        profiles = applications = 0
        with transaction.atomic():
            for profile in ReturneeProfile.objects.select_for_update().iterator():
                document = crypto.document_number_index(profile.document_number or "")
                phone = crypto.phone_index(profile.phone or "")
                new_index.update({profile.document_number_hash: document, profile.phone_hash: phone})
                if (document, phone) != (profile.document_number_hash, profile.phone_hash):
                    ReturneeProfile.objects.filter(pk=profile.pk).update(
                        document_number_hash=document, phone_hash=phone
                    )
                    profiles += 1
            new_index.pop("", None)
            for application in LoanApplication.objects.exclude(frozen_profile=None).select_for_update().iterator():
                snapshot = dict(application.frozen_profile or {})
                changed = False
                for key in ("document_number_hash", "phone_hash"):
                    old = snapshot.get(key)
                    if old in new_index and new_index[old] != old:
                        snapshot[key] = new_index[old]
                        changed = True
                if changed:
                    LoanApplication.objects.filter(pk=application.pk).update(frozen_profile=snapshot)
                    applications += 1
        self.stdout.write(f"re-indexed {profiles} profiles and {applications} submitted applications")
