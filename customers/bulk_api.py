"""/api/v1/bulk-uploads/: bulk onboarding (#15), as the page does it.

POST a spreadsheet (multipart: `file`, and `partner` for staff) to have every row checked; the
upload comes back with each mistake by row, column and cell (201 either way: the check is a record
of its own). POST `confirm/` once to create every customer and queue every build (the generated
admin passwords are in that response only, A2); `retry/` retries every failed build. A file that
cannot be read, or a partner that is not live (O6), is a 400 and keeps nothing.
"""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.api import ScopedQuerysetMixin
from accounts.scoping import scope_for
from expoe_portal import bounds
from partners.models import Partner

from . import bulk
from .choices import BulkUploadStatus
from .models import BulkUpload


class BulkErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The row's number in the spreadsheet (the header is row 1).")
    column = serializers.CharField(help_text="The template's column name, e.g. business_profile_number.")
    cell = serializers.CharField(help_text="The cell, e.g. F3.")
    message = serializers.CharField()


class BulkFailureSerializer(serializers.Serializer):
    group = serializers.IntegerField(help_text="The customer group's id.")
    group_id = serializers.CharField()
    name = serializers.CharField()
    error = serializers.CharField()


class BulkProgressSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    succeeded = serializers.IntegerField()
    failed = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    open = serializers.IntegerField(help_text="Queued or running.")
    waiting = serializers.IntegerField(help_text="Of the open ones, those waiting for a co-ordinator.")
    percent = serializers.IntegerField()
    failures = BulkFailureSerializer(many=True)


class BulkRowSerializer(serializers.Serializer):
    row = serializers.IntegerField(source="line")
    group_id = serializers.CharField(source="data.group_id")
    name = serializers.CharField(source="data.name")
    customer_group = serializers.IntegerField(
        source="group_id", allow_null=True, help_text="The customer group's id, once confirmed."
    )


class BulkUploadSerializer(serializers.ModelSerializer):
    partner = serializers.SlugRelatedField(
        slug_field="partner_id",
        queryset=Partner.objects.all(),
        required=False,
        help_text="Staff name the partner; a partner user's uploads are their own partner's.",
    )
    file = serializers.FileField(write_only=True, help_text="CSV or XLSX in the template's columns; no passwords.")
    status = serializers.ChoiceField(choices=BulkUploadStatus.choices, read_only=True)
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True, default=None)
    confirmed_by = serializers.CharField(source="confirmed_by.username", read_only=True, default=None)
    can_confirm = serializers.BooleanField(read_only=True)
    errors = serializers.SerializerMethodField()
    rows = BulkRowSerializer(many=True, read_only=True)
    progress = serializers.SerializerMethodField()

    class Meta:
        model = BulkUpload
        fields = [
            "id",
            "partner",
            "file",
            "filename",
            "status",
            "row_count",
            "error_count",
            "can_confirm",
            "uploaded_by",
            "created_at",
            "confirmed_by",
            "confirmed_at",
            "errors",
            "rows",
            "progress",
        ]
        read_only_fields = ["filename", "row_count", "error_count", "created_at", "confirmed_at"]

    @extend_schema_field(BulkErrorSerializer(many=True))
    def get_errors(self, upload):
        return [{"row": row.line, **error} for row in upload.rows.all() for error in row.errors]

    @extend_schema_field(BulkProgressSerializer(allow_null=True))
    def get_progress(self, upload):
        if upload.status != BulkUploadStatus.CONFIRMED:
            return None
        progress = bulk.bulk_progress(upload)
        return {key: value for key, value in progress.items() if key != "moving"}

    def validate_partner(self, partner):
        if not scope_for(self.context["request"].user, Partner.objects.filter(pk=partner.pk)).exists():
            raise serializers.ValidationError(f"Object with partner_id={partner.partner_id} does not exist.")
        return partner

    def create(self, validated):
        user = self.context["request"].user
        partner = validated.get("partner") or (user.partner if user.is_partner_user else None)
        if partner is None:
            raise serializers.ValidationError({"partner": ["Name the partner these customers are for."]})
        upload_file = validated["file"]
        return bulk.bulk_upload_check(by=user, partner=partner, filename=upload_file.name, content=upload_file.read())


class BulkConfirmedSerializer(BulkUploadSerializer):
    generated_passwords = serializers.SerializerMethodField(
        help_text="Only in this response: {group_id: {user_id: password}}. Never shown again (A2)."
    )

    class Meta(BulkUploadSerializer.Meta):
        fields = [*BulkUploadSerializer.Meta.fields, "generated_passwords"]

    @extend_schema_field(serializers.DictField(child=serializers.DictField(child=serializers.CharField())))
    def get_generated_passwords(self, upload):
        return self.context.get("generated_passwords", {})


class BulkRetriedSerializer(BulkUploadSerializer):
    retried = serializers.SerializerMethodField(help_text="The group IDs whose failed builds run again.")

    class Meta(BulkUploadSerializer.Meta):
        fields = [*BulkUploadSerializer.Meta.fields, "retried"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_retried(self, upload):
        return self.context.get("retried", [])


# The request as sent: a file in a multipart form (the serializer's own schema would read it as a URL).
UPLOAD_FORM = {
    "type": "object",
    "properties": {
        "partner": {"type": "string", "description": "partner_id; staff only (a partner user's are their own)"},
        "file": {"type": "string", "format": "binary", "description": "CSV or XLSX in the template's columns"},
    },
    "required": ["file"],
}


class BulkUploadFilter(filters.FilterSet):
    partner = filters.CharFilter(max_length=bounds.LINE, field_name="partner__partner_id", help_text="partner_id")
    status = filters.ChoiceFilter(choices=BulkUploadStatus.choices)

    class Meta:
        model = BulkUpload
        fields = ["partner", "status"]


class BulkUploadViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Bulk onboarding: spreadsheets of customers, checked whole, built at once. Scoped like every
    resource (another partner's upload is a 404); the service decides who may upload, confirm and
    retry (those who build customers: co-ordinators, administrators, the partner's own users)."""

    queryset = BulkUpload.objects.select_related("partner", "uploaded_by", "confirmed_by").prefetch_related("rows")
    serializer_class = BulkUploadSerializer
    filterset_class = BulkUploadFilter
    parser_classes = [MultiPartParser, FormParser]  # a file comes as multipart/form-data

    @extend_schema(request={"multipart/form-data": UPLOAD_FORM}, responses={201: BulkUploadSerializer})
    def create(self, request, *args, **kwargs):
        """Upload a spreadsheet (multipart: `file`; `partner` for staff) and have every row checked
        with every rule. 201 with the upload and each mistake by row, column and cell (`can_confirm`
        is true when there is none); 400 `{"file": [...]}` for a file that cannot be read (unknown or
        password columns, over 500 rows), `{"partner": [...]}` for a partner not live (O6); nothing
        is kept then. Nothing is built until `confirm/`."""
        return super().create(request, *args, **kwargs)

    def _answer(self, serializer_class, upload, **context):
        upload = self.get_queryset().get(pk=upload.pk)
        return Response(serializer_class(upload, context={**self.get_serializer_context(), **context}).data)

    @extend_schema(request=None, responses=BulkConfirmedSerializer)
    @action(detail=True, methods=["post"], url_path="confirm")
    def confirm(self, request, pk=None):
        """Create every customer and queue every build, once: 409 `conflict` when already confirmed,
        400 while any row has an error (or a row can no longer be built: its errors are then kept)."""
        upload, passwords = bulk.bulk_upload_confirm(by=request.user, upload=self.get_object())
        return self._answer(BulkConfirmedSerializer, upload, generated_passwords=passwords)

    @extend_schema(request=None, responses=BulkRetriedSerializer)
    @action(detail=True, methods=["post"], url_path="retry")
    def retry(self, request, pk=None):
        """Retry every failed build of the upload from its failed step."""
        upload = self.get_object()
        retried = bulk.bulk_upload_retry_failed(by=request.user, upload=upload)
        return self._answer(BulkRetriedSerializer, upload, retried=retried)
