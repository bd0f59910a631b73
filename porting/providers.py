"""The providers' list (issue #16, item 8): managers keep it; port requests name a provider from
it, or any other provider as free text. The request keeps the name as text too (the API's string,
the filters, the dashboard's grouping), so renaming a provider renames it on its requests."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet

from accounts.models import User
from accounts.services import audit_record, require_perm
from expoe_portal.cache import data_changed

from .models import PORT_DATA, PortRequest, Provider

PROVIDER_FIELDS = ("losing_provider", "range_holder")
# The list a new database starts with (the migration that made the list has its own copy): the
# common UK providers, and the demo's range holders.
SEED = [
    "BT", "Virgin Media", "TalkTalk", "Sky", "Vodafone", "Gamma", "Colt", "KCOM",
    "BT Wholesale", "Virgin Media Wholesale", "TalkTalk Wholesale", "Gamma Wholesale",
]  # fmt: skip


def provider_list(*, active_only: bool = False) -> QuerySet[Provider]:
    providers = Provider.objects.all()
    return providers.filter(active=True) if active_only else providers


def providers_load() -> int:
    """Add the seed providers that are missing, by name ignoring case (for the demo and a database
    emptied by tests; a new database has them from its migration). Safe to run again."""
    missing = [name for name in SEED if not Provider.objects.filter(name__iexact=name).exists()]
    Provider.objects.bulk_create([Provider(name=name) for name in missing], ignore_conflicts=True)
    return len(missing)


def provider_named(name: str) -> Provider | None:
    """The listed provider with this name, ignoring case and surrounding spaces (any, active or not)."""
    name = (name or "").strip()
    return Provider.objects.filter(name__iexact=name).first() if name else None


def _clean_name(name: str, *, provider: Provider | None = None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": ["Enter the provider's name."]})
    taken = Provider.objects.filter(name__iexact=name)
    if provider is not None:
        taken = taken.exclude(pk=provider.pk)
    if taken.exists():
        raise ValidationError({"name": [f"“{name}” is already on the list."]})
    return name


@transaction.atomic
def provider_create(*, by: User, name: str) -> Provider:
    """A manager adds a provider; requests that typed its name (any case) now name it."""
    require_perm(by, "porting.add_provider", action="add providers")
    provider = Provider(name=_clean_name(name), updated_by=by)
    provider.full_clean()
    provider.save()
    _link_typed_requests(provider)
    audit_record(actor=by, action="provider.created", target=provider, changes={"name": provider.name})
    return provider


@transaction.atomic
def provider_update(*, by: User, provider: Provider, name: str, active: bool) -> Provider:
    """A manager renames a provider (its requests follow) or takes it off the form's list (active:
    its requests keep naming it)."""
    require_perm(by, "porting.change_provider", action="change providers")
    provider = Provider.objects.select_for_update().get(pk=provider.pk)
    name = _clean_name(name, provider=provider)
    changes = {
        field: [getattr(provider, field), value]
        for field, value in (("name", name), ("active", active))
        if getattr(provider, field) != value
    }
    if not changes:
        return provider
    provider.name, provider.active, provider.updated_by = name, active, by
    provider.full_clean()
    provider.save()
    if "name" in changes:
        for field in PROVIDER_FIELDS:
            PortRequest.objects.filter(**{f"{field}_listed": provider}).update(**{field: provider.name})
        data_changed(PORT_DATA)
    audit_record(actor=by, action="provider.updated", target=provider, changes=changes)
    return provider


def _link_typed_requests(provider: Provider) -> None:
    for field in PROVIDER_FIELDS:
        typed = Q(**{f"{field}__iexact": provider.name}) & Q(**{f"{field}_listed__isnull": True})
        PortRequest.objects.filter(typed).update(**{field: provider.name, f"{field}_listed": provider})
    data_changed(PORT_DATA)
