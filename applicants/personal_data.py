"""The personal-data registry: every package says how to export and erase what it holds
about a person (pretix's data shredder is the model, ``pretix/base/shredder.py``).

A package registers one ``DataProvider`` from its AppConfig.ready(); the Ley 1581 export
(JSON and PDF), the erasure and the withdrawal of consent walk the registry, so a model with
personal data that nobody registered is caught by the PII sweep test, not forgotten.

- ``export(user)`` returns a dict of named sections, JSON-serialisable, in the person's language.
- ``erase(user)`` removes or anonymises everything erasable, files and history rows
  included, and returns a count summary (no personal data) for the audit record. It must be
  safe to run twice.
- ``retained(user)`` lists what the law obliges the portal to keep, with the reason; the
  export shows it and the erasure keeps it, minimised.
- ``stop_processing(user)`` ends what the package does with the person (withdraws an open
  application through its workflow's transition, cancels reminders), on consent withdrawal
  and before erasure.

Providers run in ``order``: lower first on erasure (loans before the account), so each can
still find the person's rows by their account.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone


@dataclass(frozen=True)
class Retention:
    """Something kept after erasure, told to the person: what, why, until when."""

    what: str
    reason: str
    until: str


@dataclass(frozen=True)
class DataProvider:
    name: str
    label: Any  # lazy translated string
    export: Callable[[Any], Any]
    erase: Callable[[Any], dict[str, int]]
    retained: Callable[[Any], list[Retention]] = field(default=lambda user: [])
    stop_processing: Callable[[Any, Any], None] | None = None
    order: int = 100


_registry: dict[str, DataProvider] = {}


def register(provider: DataProvider) -> DataProvider:
    """Add (or replace, for code reloading) one package's provider."""
    _registry[provider.name] = provider
    return provider


def providers() -> list[DataProvider]:
    return sorted(_registry.values(), key=lambda provider: (provider.order, provider.name))


def retained_for(user) -> list[Retention]:
    return [item for provider in providers() for item in provider.retained(user)]


def export_person(user) -> dict[str, Any]:
    """Everything the portal holds about the person (Ley 1581 access): the sections of every
    provider side by side (account, profile, consents, ..., business_plans, applications),
    then what the law obliges the portal to keep and why."""
    data: dict[str, Any] = {}
    for provider in providers():
        sections = provider.export(user)
        clash = data.keys() & sections.keys()
        if clash:
            raise ValueError(f"{provider.name} exports sections another provider already uses: {sorted(clash)}")
        data.update(sections)
    data["kept_by_law"] = [item.__dict__ for item in retained_for(user)]
    return data


def stop_processing(user, *, actor=None) -> None:
    """Consent withdrawn or erasure coming: every package stops what it does with the person."""
    for provider in providers():
        if provider.stop_processing is not None:
            provider.stop_processing(user, actor)


def erase_person(user, *, actor=None) -> dict[str, dict[str, int]]:
    """Stop processing, then erase every provider's data in one transaction; returns the
    counts per provider (for the audit record). Running it again erases nothing more."""
    with transaction.atomic():
        stop_processing(user, actor=actor)
        return {provider.name: provider.erase(user) for provider in providers()}


def now_iso() -> str:
    return timezone.now().isoformat()
