"""What every API endpoint shares: pagination, the error format of API.md, scoping, throttles."""

from django.core.cache import caches
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404
from django.utils import timezone
from rest_framework import exceptions, pagination, permissions, serializers, throttling
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from expoe_portal.phone import normalise_e164
from expoe_portal.transitions import TransitionConflict, TransitionRefused, changed_since


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def exception_handler(exc, context):
    """API.md's error format: `{"field": [...]}` for bad input, `{"detail", "code"}` otherwise; a
    service's TransitionConflict is 409 `conflict`, its TransitionRefused 400 `transition_not_allowed`."""
    if isinstance(exc, DjangoValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        if "__all__" in errors:
            errors["non_field_errors"] = errors.pop("__all__")
        exc = exceptions.ValidationError(nest_errors(errors))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, TransitionConflict):
        exc = Conflict(str(exc))
    elif isinstance(exc, TransitionRefused):
        exc = TransitionNotAllowed(str(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DataError) and "NUL" in str(exc):
        # PostgreSQL's driver refuses, before sending it, a query with the NUL character: a lookup
        # of a value sent with one (`"partner": "AC\u0000ME01"`, `?partner=...`) is bad input.
        exc = NullCharacter()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.APIException) and not isinstance(exc, exceptions.ValidationError):
        codes = exc.get_codes()
        response.data = {"detail": str(exc.detail), "code": codes if isinstance(codes, str) else "error"}
    return response


def nest_errors(flat: dict) -> dict:
    """Services name nested fields with dots ("admins.1.user_id"); the API answers in the shape
    of the request body: {"admins": [{}, {"user_id": [...]}]}."""
    nested_roots = {key.split(".")[0] for key in flat if "." in key}
    nested: dict = {}
    for key, messages in flat.items():
        if "." not in key:
            if key in nested_roots:  # the field's own messages beside its items' ones
                nested.setdefault("non_field_errors", []).extend(f"{key}: {m}" for m in messages)
            else:
                nested[key] = messages
            continue
        parts = key.split(".")
        target = nested
        for part, following in zip(parts, parts[1:], strict=False):
            if part.isdigit():
                target = target[int(part)]
            elif following.isdigit():
                items = target.setdefault(part, [])
                items.extend({} for _ in range(int(following) + 1 - len(items)))
                target = items
            else:
                target = target.setdefault(part, {})
        last = parts[-1]
        if isinstance(target, list):
            target[int(last)] = messages
        else:
            target[last] = messages
    return nested


class Conflict(exceptions.APIException):
    """409: someone else changed the object first (API.md)."""

    status_code = 409
    default_detail = "This object was changed by someone else. Fetch it again and retry."
    default_code = "conflict"


class NullCharacter(exceptions.APIException):
    status_code = 400
    default_detail = "Null characters are not allowed."
    default_code = "null_character"


class TransitionNotAllowed(exceptions.APIException):
    status_code = 400
    default_detail = "This transition is not possible in the object's current state."
    default_code = "transition_not_allowed"


class ModelPermissions(permissions.DjangoModelPermissions):
    """Writes need the model's add/change/delete permission; reads need its view permission.

    On a detail route the check waits until the object has been found in the user's scope, so
    another partner's object is a 404 before any question of permission (never a 403).
    """

    def has_permission(self, request, view):
        if (view.lookup_url_kwarg or view.lookup_field) in view.kwargs:
            return bool(request.user and request.user.is_authenticated)
        return super().has_permission(request, view)

    def has_object_permission(self, request, view, obj):
        return super().has_permission(request, view)

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }


class TokenThrottle(throttling.AnonRateThrottle):
    """The token endpoint's limit (accounts/token_api.py), per address."""

    scope = "token"
    cache = caches["throttles"]  # shared by every process and host (settings: CACHES)


class E164Field(serializers.CharField):
    """A phone number: accepts UK national formats, stores and returns E.164."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            return normalise_e164(value)
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(exc.messages) from exc


class HistoryEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField(source="timestamp")
    by = serializers.CharField(source="by.username", default=None)
    transition = serializers.CharField()
    # "from" is a Python keyword, so these two are named in to_representation.
    # `note`: what this user may read of it (expoe_portal.transitions.history_notes); never an
    # internal note for a partner user.
    note = serializers.CharField(default=None)
    note_for_partner = serializers.BooleanField(default=False, help_text="Its author marked the note for the partner.")

    def to_representation(self, entry):
        data = super().to_representation(entry)
        return {
            "at": data["at"],
            "by": data["by"],
            "from": entry.source_state,
            "to": entry.state,
            "transition": data["transition"],
            "note": data["note"],
            "note_for_partner": data["note_for_partner"],
        }


class TransitionActions:
    """`GET <object>/transitions/` and `POST <object>/transitions/<name>/` (API.md, "State machines"),
    the same for every state machine. A viewset says which transitions it has, how their fields are
    read, and which service runs one; the service decides who may run what (roles, ownership), so
    running one needs only a signed-in user, not a model permission."""

    transition_names: tuple[str, ...] = ()
    transition_noun = "this object"  # in "“x” is not a transition of …"

    def transitions_for(self, instance, user) -> list[dict]:
        raise NotImplementedError

    def transition_fields(self, instance, name: str, data) -> dict:
        """The transition's fields, checked (a ValidationError names the bad ones)."""
        raise NotImplementedError

    def transition_run(self, *, by, instance, name: str, data: dict, expected_status: str | None):
        raise NotImplementedError

    @action(detail=True, methods=["get"], url_path="transitions", pagination_class=None)
    def transitions(self, request, pk=None):
        """The transitions the caller may run now."""
        return Response(self.transitions_for(self.get_object(), request.user))

    @action(
        detail=True, methods=["post"], url_path=r"transitions/(?P<name>[a-z_]+)", permission_classes=[IsAuthenticated]
    )
    def run_transition(self, request, pk=None, name=None):
        """Run one transition with its fields. `expected_status` (optional): the status the caller
        last saw; 409 if it has changed. Without it, the status this request read first is the one
        expected, so two requests at the same moment (a double click) answer 200 and 409
        `conflict` (API.md), never 400: the loser lost a race, it did not ask for the impossible."""
        started = timezone.now()
        instance = self.get_object()
        if name not in self.transition_names:
            raise exceptions.NotFound(f"“{name}” is not a transition of {self.transition_noun}.")
        data = dict(self.transition_fields(instance, name, request.data))
        expected = data.pop("expected_status", None) or instance.status
        try:
            instance = self.transition_run(
                by=request.user, instance=instance, name=name, data=data, expected_status=expected
            )
        except TransitionRefused:
            # The winner may have committed before this request read the object at all.
            if changed_since(instance, started):
                raise TransitionConflict() from None
            raise
        return Response(self.get_serializer(self.get_queryset().get(pk=instance.pk)).data)
