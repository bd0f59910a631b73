"""Bounds everywhere (#17, expoe_portal/bounds.py): every text input has a maximum length, every
date a person supplies is between 2000 and five years ahead. These tests walk every model, form,
serializer and filter of the project's apps, so a field added without its bound fails here."""

import importlib
import pkgutil
from datetime import UTC, date, datetime, timedelta

import django_filters
import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from rest_framework import serializers

from expoe_portal import bounds

PROJECT_APPS = [
    "expoe_portal",
    "accounts",
    "partners",
    "number_pool",
    "onboarding",
    "customers",
    "porting",
    "escalations",
    "reconciliation",
    "integrations",
]

# Serializers that only describe responses (never read a request body), so their fields bound
# nothing. A serializer that reads input must not be here.
RESPONSE_ONLY = {
    "customers.api.BuildStatusSerializer",
    "customers.api.ChangeSerializer",
    "customers.api.PlanStepSerializer",
    "customers.bulk_api.BulkErrorSerializer",
    "customers.bulk_api.BulkFailureSerializer",
    "customers.bulk_api.BulkProgressSerializer",
    "customers.bulk_api.BulkRowSerializer",
    "escalations.api.AcknowledgedSerializer",
    "escalations.api.ContactSerializer",
    "escalations.api.EscalationSerializer",
    "escalations.api.SubjectSerializer",
    "expoe_portal.api_schema.ErrorSerializer",
    "expoe_portal.api.HistoryEntrySerializer",
    "onboarding.api.OnboardingAccountSerializer",
    "onboarding.api.TrainingSessionSerializer",
    "onboarding.api.TransitionSerializer",
    "porting.api.PortTransitionSerializer",
    "porting.api.RejectionSerializer",
    "reconciliation.api.DriftSerializer",
    "reconciliation.api.RepairSerializer",
    "reconciliation.api.RunSerializer",
}


def _import_everything() -> None:
    for app in PROJECT_APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            name = module.name
            if any(part in name for part in (".migrations", ".management", "simulator", ".settings")):
                continue
            importlib.import_module(name)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _ours(cls) -> list:
    _import_everything()
    found = {c for c in _subclasses(cls) if c.__module__.split(".")[0] in PROJECT_APPS}
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


def _name(cls) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _form_fields(form_class) -> dict:
    """The form's fields as a page gets them: an instance's where it needs no arguments (some
    set limits in __init__, as Django's login form does), else the class's."""
    try:
        return dict(form_class().fields)
    except Exception:
        return dict(form_class.base_fields)


def _serializer_input_fields(serializer, path=""):
    """(path, field) of every field a request body can fill, nested serializers and list items included."""
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        where = f"{path}{name}"
        if isinstance(field, serializers.ListSerializer):
            yield where, field
            yield from _serializer_input_fields(field.child, f"{where}[].")
        elif isinstance(field, serializers.BaseSerializer):
            yield from _serializer_input_fields(field, f"{where}.")
        elif isinstance(field, serializers.ListField):
            yield where, field
            yield f"{where}[]", field.child
        else:
            yield where, field


def _input_serializers():
    for cls in _ours(serializers.BaseSerializer):
        if _name(cls) in RESPONSE_ONLY or cls is serializers.ListSerializer:
            continue
        yield cls, cls()


# --- Text ------------------------------------------------------------------------------------------


def test_every_model_text_field_has_a_maximum_length():
    missing = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model._meta.app_config.name in PROJECT_APPS
        for field in model._meta.get_fields()
        if isinstance(field, models.CharField | models.TextField) and not field.max_length
    ]
    assert missing == [], "Give these a max_length from expoe_portal.bounds"


def test_every_form_text_field_has_a_maximum_length():
    missing = [
        f"{_name(form)}.{name}"
        for form in _ours(forms.BaseForm)
        for name, field in _form_fields(form).items()
        if isinstance(field, forms.CharField) and not field.max_length
    ]
    assert len(_ours(forms.BaseForm)) > 40  # the walk found the forms
    assert missing == [], "Give these a max_length from expoe_portal.bounds"


def test_every_serializer_text_field_and_list_has_a_maximum_length():
    missing = [
        f"{_name(cls)}.{path}"
        for cls, serializer in _input_serializers()
        for path, field in _serializer_input_fields(serializer)
        if isinstance(field, serializers.CharField | serializers.ListField) and field.max_length is None
    ]
    assert len(list(_input_serializers())) > 15  # the walk found the serializers
    assert missing == [], "Give these a max_length from expoe_portal.bounds (or list a response-only serializer)"


def test_response_only_serializers_exist():
    names = {_name(cls) for cls in _ours(serializers.BaseSerializer)}
    assert names >= RESPONSE_ONLY


@pytest.mark.django_db  # some filters read their choices from the database
def test_every_filter_text_field_has_a_maximum_length():
    missing = [
        f"{_name(filterset)}.{name}"
        for filterset in _ours(django_filters.FilterSet)
        for name, field in filterset().form.fields.items()
        if isinstance(field, forms.CharField) and not field.max_length
    ]
    assert missing == []


# --- Dates -----------------------------------------------------------------------------------------


def _checks_dates(validators) -> bool:
    return any(isinstance(v, bounds.SaneDateValidator) for v in validators)


def test_every_form_date_is_checked_for_a_sane_range():
    unchecked = [
        f"{_name(form)}.{name}"
        for form in _ours(forms.BaseForm)
        for name, field in _form_fields(form).items()
        if isinstance(field, forms.DateField | forms.DateTimeField) and not _checks_dates(field.validators)
    ]
    assert unchecked == [], "Add validators=[bounds.sane_date]"


def test_every_serializer_date_is_checked_for_a_sane_range():
    unchecked = [
        f"{_name(cls)}.{path}"
        for cls, serializer in _input_serializers()
        for path, field in _serializer_input_fields(serializer)
        if isinstance(field, serializers.DateField | serializers.DateTimeField) and not _checks_dates(field.validators)
    ]
    assert unchecked == [], "Add validators=[bounds.sane_date]"


def test_a_sane_date_is_from_2000_to_five_calendar_years_ahead(time_machine):
    time_machine.move_to(datetime(2028, 2, 29, 12, tzinfo=UTC))
    bounds.sane_date(date(2000, 1, 1))
    bounds.sane_date(date(2033, 2, 28))  # five years from a 29 February
    bounds.sane_date(datetime(2033, 2, 28, 23, 0, tzinfo=UTC))
    bounds.sane_date(None)
    for bad, message in [
        (date(1999, 12, 31), "from 1 January 2000 on"),
        (date(2033, 3, 1), "no later than 28 February 2033"),
        (datetime(1900, 1, 1, tzinfo=UTC), "from 1 January 2000 on"),
        (datetime(1, 1, 1, tzinfo=UTC), "from 1 January 2000 on"),
        (datetime(9999, 12, 31, 23, 59, tzinfo=UTC), "no later than"),
        (date(9999, 12, 31), "no later than"),
    ]:
        with pytest.raises(ValidationError) as refused:
            bounds.sane_date(bad)
        assert message in refused.value.messages[0]


@pytest.mark.django_db
@pytest.mark.parametrize("since,until", [("0001-01-01", "9999-12-31"), ("9999-12-31", "0001-01-01")])
def test_a_filter_date_range_takes_any_year_without_crashing(client, world, since, until):
    from accounts.choices import Role

    client.force_login(world.user(Role.MANAGER))
    response = client.get("/accounts/audit/", {"since": since, "until": until})
    assert response.status_code == 200


def test_far_dates_in_a_transition_form_are_refused_not_crashing():
    from porting.forms import AcceptForm, LosingProviderCancelForm

    for value in ("0001-01-01T00:00", "9999-12-31T23:59", "1900-01-01T00:00"):
        form = LosingProviderCancelForm({"reason": "Customer disputed", "at": value})
        assert not form.is_valid() and "at" in form.errors
    assert not AcceptForm({"accepted_on": "9999-12-31"}).is_valid()
    assert AcceptForm({"accepted_on": (date.today() + timedelta(days=30)).isoformat()}).is_valid()
