"""The published OpenAPI schema says what every operation can answer, not only its success (#17).

drf-spectacular documents the 200/201 of each operation from its serializer; this AutoSchema adds
the error responses of API.md's error format to every operation, worked out from the view itself
so that an endpoint added later is documented without a decoration of its own:

- 400 `{"field": ["message", ...]}` or `{"detail", "code"}`: an operation that reads a body or
  query parameters (a filter's bad value, a transition not allowed now);
- 401 `{"detail", "code"}`: an operation that reads credentials (a token not valid);
- 403: the same (signed in, but not allowed to do this; a session without its CSRF token);
- 404: one with a path parameter (not found or not yours), or a paginated list (a page past the end);
- 409 `{"code": "conflict"}`: one that changes something (someone else changed it first);
- 429: one with a throttle.

It also says what drf-spectacular leaves out: `null` where a field's source may be null, `""` where
a read-only choice may be blank, that no text holds the NUL character, that a list's filters are
not parameters of one object's routes, and a route's `(retry|cancel|confirm)` as an enumeration.
"""

import re

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions, serializers


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in words for a person.")
    code = serializers.CharField(help_text="What went wrong, for a program: `not_found`, `conflict`, ...")

    class Meta:
        ref_name = "Error"


ERROR_DESCRIPTIONS = {
    "401": "No token, or a token that is not valid (any more).",
    "403": "Signed in, but not allowed to do this.",
    "404": "Not found, or not yours.",
    "409": 'Someone else changed the object first: `{"code": "conflict"}`. Fetch it again and retry.',
    "413": 'The request body is over the limit: `{"code": "request_too_large"}`.',
    "429": "Too many requests: wait as long as the Retry-After header says.",
    "503": 'The portal cannot reach its database: `{"code": "service_unavailable"}`; retry after Retry-After.',
}
NO_NUL = r"^[^\x00]*$"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        error = self.resolve_serializer(ErrorSerializer(), "response").ref
        for code in self.error_codes():
            if code in responses:  # the view documents this one itself
                continue
            if code == "400":
                schema = {
                    "anyOf": [
                        {
                            "type": "object",
                            "description": "Field errors: each field named, with its messages (nested fields "
                            "in the request body's shape).",
                            "additionalProperties": {},
                        },
                        error,
                    ]
                }
                description = 'The request is not valid: `{"field": ["message", ...]}` or `{"detail", "code"}`.'
            else:
                schema, description = error, ERROR_DESCRIPTIONS[code]
            responses[code] = self._get_response_for_code(
                OpenApiResponse(response=schema, description=description), code, direction=direction
            )
        return responses

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction == "response" and may_answer_blank(field) and "" not in schema.get("enum", [""]):
            # drf-spectacular's enum hook then answers `oneOf: [<its Enum>, BlankEnum]`, as for a
            # choice that allows blank input.
            schema = {**schema, "enum": [*schema["enum"], ""]}
        return schema

    def _resolve_path_parameters(self, variables):
        parameters = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            schema = parameter["schema"]
            pattern = schema.get("pattern", "")
            # A route's `(?P<act>retry|cancel|confirm)` becomes `^retry|cancel|confirm$`, which
            # means something else; its words are the parameter's enumeration.
            if pattern.startswith("^") and pattern.endswith("$") and re.fullmatch(r"\w+(\|\w+)+", pattern[1:-1]):
                del schema["pattern"]
                schema["enum"] = pattern[1:-1].split("|")
        return parameters

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)
        # Every text field refuses the NUL character (expoe_portal.api.refuse_nul). Added
        # after drf-spectacular's own constraints, which would otherwise offer a blank field's ""
        # twice (`oneOf` a pattern and an empty string).
        if schema.get("type") == "string" and not {"pattern", "format", "enum"} & set(schema):
            schema["pattern"] = NO_NUL

    def _get_serializer_field_meta(self, field, direction):
        meta = super()._get_serializer_field_meta(field, direction)
        if direction == "response" and not meta.get("nullable") and may_answer_null(field):
            meta["nullable"] = True
        return meta

    def _get_filter_parameters(self):
        # One object's routes ignore the list's filters (accounts.api.ScopedQuerysetMixin).
        if getattr(self.view, "detail", False):
            return []
        parameters = super()._get_filter_parameters()
        for parameter in parameters:
            schema = parameter.get("schema", {})
            if schema.get("type") == "string" and not {"pattern", "enum", "format"} & set(schema):
                schema["pattern"] = NO_NUL  # a filter's text refuses NUL as a field's does
        return parameters

    def error_codes(self) -> list[str]:
        codes = []
        if self.method in UNSAFE_METHODS or self._get_filter_parameters() or self._has_query_parameters():
            codes.append("400")
        if self.view.get_authenticators() or self.needs_sign_in():
            # Even an endpoint open to all (the token endpoint) reads the credentials sent: a token
            # that is not valid is a 401, a session without its CSRF token a 403.
            codes += ["401", "403"]
        if "{" in self.path or self._is_list_view() and self._get_paginator():
            codes.append("404")
        if self.method in UNSAFE_METHODS:
            codes += ["409", "413"]
        if self.view.get_throttles():
            codes.append("429")
        codes.append("503")  # any operation, while the database is unreachable (expoe_portal.views.server_error)
        return codes

    def _has_query_parameters(self) -> bool:
        return any(parameter.get("in") == "query" for parameter in self._get_parameters())

    def needs_sign_in(self) -> bool:
        classes = self.view.get_permissions()
        return not all(isinstance(permission, permissions.AllowAny) for permission in classes)


def model_fields_of(field) -> list:
    """The model fields a serializer field's source runs through (`customer_group.group_id`: the
    number's customer_group, then the group's group_id); empty when not a model's."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    found = []
    for attr in getattr(field, "source_attrs", None) or []:
        if model is None:
            break
        try:
            model_field = model._meta.get_field(attr)
        except FieldDoesNotExist:
            break
        found.append(model_field)
        model = model_field.related_model
    return found


def may_answer_null(field) -> bool:
    """Whether a serializer field can answer `null` though it does not say `allow_null`: its default
    is None (`by.username` of a history entry made by the system), or its source runs through a
    model field that may be null (an order's `trainer`, a number's `customer_group.group_id`)."""
    if field.default is None and not isinstance(field, serializers.BaseSerializer):
        return True
    # Only the fields a row has: a reverse relation (an order's `accounts`) is a list, never null.
    return any(model_field.null and model_field.concrete for model_field in model_fields_of(field))


def may_answer_blank(field) -> bool:
    """A read-only choice whose model field may be blank (an order's `held_from` when it is not on
    hold): DRF drops `allow_blank` from read-only fields, but "" still comes back."""
    if not isinstance(field, serializers.ChoiceField) or field.allow_blank:
        return False
    model_fields = model_fields_of(field)
    return bool(model_fields) and model_fields[-1].blank
