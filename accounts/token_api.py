"""The API's tokens (API.md, "Auth"; issue #17): `POST /api/v1/auth/token/` exchanges a username,
password (and second-factor code) for a token; `/api/v1/auth/tokens/` lists, creates and revokes
them. Here, not in expoe_portal/api.py, because the ground imports no app (pyproject's contracts)."""

import django_filters
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from expoe_portal import bounds
from expoe_portal.api import TokenThrottle
from expoe_portal.api_schema import ErrorSerializer

from .authentication import ApiTokenAuthentication
from .models import ApiToken
from .second_factor import token_refusal
from .tokens import IssuedToken, token_issue, token_revoke, tokens_visible_to

ENDPOINT_TOKEN_NAME = "token endpoint"

# The error bodies of API.md, for the schema.
ERROR = ErrorSerializer  # API.md's {"detail", "code"}, the one "Error" component
FIELD_ERRORS = inline_serializer(
    "TokenFieldErrors",
    fields={
        "non_field_errors": serializers.ListField(child=serializers.CharField(), required=False),
        "name": serializers.ListField(child=serializers.CharField(), required=False),
        "days": serializers.ListField(child=serializers.CharField(), required=False),
    },
)
LOGIN_ERRORS = inline_serializer(
    "TokenLoginErrors",
    fields={
        "non_field_errors": serializers.ListField(child=serializers.CharField(), required=False),
        "username": serializers.ListField(child=serializers.CharField(), required=False),
        "password": serializers.ListField(child=serializers.CharField(), required=False),
        "otp": serializers.ListField(child=serializers.CharField(), required=False),
        "name": serializers.ListField(child=serializers.CharField(), required=False),
    },
)
NOT_SIGNED_IN = OpenApiResponse(ERROR, description="No token, or an unknown, expired or revoked one.")
NOT_YOURS = OpenApiResponse(ERROR, description="No such token among those you may see.")


class ApiTokenSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.username", read_only=True, help_text="Whose token it is.")
    prefix = serializers.CharField(read_only=True, help_text="The token's first characters, to recognise it.")

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "user", "created_at", "expires_at", "last_used_at"]
        read_only_fields = fields


class ApiTokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, help_text="What will use the token, e.g. “billing sync”.")
    days = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=settings.API_TOKEN_MAX_DAYS,
        help_text=f"How long it lasts; {settings.API_TOKEN_DAYS} days unless said.",
    )


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    token = serializers.CharField(max_length=bounds.LINE, help_text="The secret: shown this once, never again.")

    class Meta(ApiTokenSerializer.Meta):
        fields = ["token", *ApiTokenSerializer.Meta.fields]
        read_only_fields = fields


class AuthTokenSerializer(serializers.Serializer):
    """Send `username`, `password` (and `otp`, `name`); receive the new token, its secret shown once.
    (One serializer both ways, so the schema keeps its "AuthToken" component.)"""

    username = serializers.CharField(max_length=150, write_only=True)
    password = serializers.CharField(
        max_length=128, write_only=True, trim_whitespace=False, style={"input_type": "password"}
    )
    otp = serializers.CharField(
        max_length=64,
        write_only=True,
        required=False,
        allow_blank=True,
        help_text="The current second-factor code, for a user who has one.",
    )
    name = serializers.CharField(
        max_length=100, required=False, help_text=f"What will use the token; “{ENDPOINT_TOKEN_NAME}” unless said."
    )
    token = serializers.CharField(read_only=True, help_text="The secret: shown this once, never again.")
    id = serializers.IntegerField(read_only=True)
    prefix = serializers.CharField(read_only=True, help_text="The token's first characters, to recognise it.")
    user = serializers.CharField(read_only=True, help_text="Whose token it is (username).")
    created_at = serializers.DateTimeField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True)
    last_used_at = serializers.DateTimeField(read_only=True, allow_null=True)


class LockedOut(exceptions.PermissionDenied):
    default_detail = "Too many failed attempts for this user from this address; try again later."
    default_code = "locked_out"


class TokenView(APIView):
    """POST {"username", "password", "otp"?, "name"?} → a new token (API.md, "Auth").

    Throttled per address (TokenThrottle); a wrong password counts towards the login lockout
    (django-axes hears Django's user_login_failed), and a locked-out pair gets 403."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenThrottle]

    @extend_schema(
        request=AuthTokenSerializer,
        responses={
            200: AuthTokenSerializer,
            400: OpenApiResponse(LOGIN_ERRORS, description="Wrong credentials, or the second factor refused."),
            403: OpenApiResponse(ERROR, description="Locked out after too many failures."),
            429: OpenApiResponse(ERROR, description="Too many requests from this address."),
        },
        auth=[],
    )
    def post(self, request):
        data = AuthTokenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        user = authenticate(request=request, username=fields["username"], password=fields["password"])
        if user is None and getattr(request, "axes_locked_out", False):
            raise LockedOut()
        if user is None:
            raise exceptions.ValidationError({"non_field_errors": ["Unable to log in with provided credentials."]})
        refusal = token_refusal(user, fields.get("otp") or None)
        if refusal:
            raise exceptions.ValidationError(refusal)
        issued = token_issue(user=user, name=fields.get("name") or ENDPOINT_TOKEN_NAME, by=user)
        return Response(created_body(issued))


def created_body(issued: IssuedToken) -> dict:
    """A new token's body: its secret, this once, then its fields."""
    return {"token": issued.secret, **ApiTokenSerializer(issued.token).data}


class ApiTokenFilter(django_filters.FilterSet):
    user = django_filters.CharFilter(
        max_length=bounds.LINE,
        field_name="user__username",
        lookup_expr="iexact",
        help_text="Username (administrators see everyone's).",
    )

    class Meta:
        model = ApiToken
        fields = ["user"]


@extend_schema_view(
    list=extend_schema(
        responses={
            200: ApiTokenSerializer(many=True),
            401: NOT_SIGNED_IN,
            404: OpenApiResponse(ERROR, description="A page past the last one."),
        }
    )
)
class ApiTokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """The caller's API tokens that still work (administrators: everyone's). The secret is shown
    once, when a token is created, and never listed."""

    serializer_class = ApiTokenSerializer
    filterset_class = ApiTokenFilter
    queryset = ApiToken.objects.none()  # for the schema; the real one is the caller's

    def get_queryset(self):
        return tokens_visible_to(self.request.user)

    @extend_schema(
        request=ApiTokenCreateSerializer,
        responses={
            201: ApiTokenCreatedSerializer,
            400: OpenApiResponse(FIELD_ERRORS, description="A missing name, or days out of bounds."),
            401: NOT_SIGNED_IN,
            403: OpenApiResponse(ERROR, description="Asked with a token: a new token needs the password."),
        },
    )
    def create(self, request):
        """A new token for the caller, its secret in `token` this once. Needs a signed-in browser
        session or the password (`POST /api/v1/auth/token/`): a token cannot make another, so a
        leaked one cannot outlive its own expiry."""
        if isinstance(request.successful_authenticator, ApiTokenAuthentication):
            raise exceptions.PermissionDenied(
                "A token cannot create another token: use POST /api/v1/auth/token/ with your password, "
                "or the API tokens page."
            )
        data = ApiTokenCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        issued = token_issue(user=request.user, by=request.user, **data.validated_data)
        return Response(created_body(issued), status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={
            204: OpenApiResponse(description="Revoked."),
            401: NOT_SIGNED_IN,
            403: OpenApiResponse(ERROR, description="A browser session's request without its CSRF token."),
            404: NOT_YOURS,
        }
    )
    def destroy(self, request, *args, **kwargs):
        """Revoke a token now: your own, or anyone's for an administrator."""
        token = self.get_object()
        try:
            token_revoke(token=token, by=request.user)
        except PermissionDenied as exc:  # not reached: get_object only finds tokens the caller may revoke
            raise exceptions.NotFound() from exc
        return Response(status=status.HTTP_204_NO_CONTENT)
