"""Use cases for a port request's documents (letters of authority, bills) and comments. Each runs
in one transaction; a document's file is written to private storage and removed after commit."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import audit_record, require_perm

from .choices import EDITABLE_STATUSES, DocumentKind, PortStatus
from .loa import LOA_CONSENT, Signature, loa_fingerprint, loa_pdf
from .models import PortComment, PortDocument, PortRequest

DOCUMENT_MAX_BYTES = 10 * 2**20  # the default of settings.PORTING_DOCUMENT_MAX_BYTES (a scanned letter or bill)


# Content sniffed from the first bytes, not trusted from the browser's declared type.
DOCUMENT_SIGNATURES = {
    b"%PDF-": ("application/pdf", {".pdf"}),
    b"\x89PNG\r\n\x1a\n": ("image/png", {".png"}),
    b"\xff\xd8\xff": ("image/jpeg", {".jpg", ".jpeg"}),
}


def _document_type(upload: UploadedFile) -> str:
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    name = (upload.name or "").lower()
    for signature, (content_type, extensions) in DOCUMENT_SIGNATURES.items():
        if head.startswith(signature) and any(name.endswith(ext) for ext in extensions):
            return content_type
    raise ValidationError({"file": ["Upload a PDF, PNG or JPEG file (a scan or photo of the document)."]})


def can_add_documents(user: User, port_request: PortRequest) -> bool:
    return (
        user.has_perm("porting.add_portdocument")
        and (not user.is_partner_user or user.partner_id == port_request.partner_id)
        and port_request.status not in (PortStatus.COMPLETED, PortStatus.CANCELLED)
    )


def port_document_remove(*, by: User, document: PortDocument) -> None:
    """A document uploaded by mistake is removed while the request is still open (same people who
    may add documents); the removal is audited and the file is deleted once the row is gone."""
    port_request = document.port_request
    if not can_add_documents(by, port_request):
        raise PermissionDenied("You cannot remove documents from this port request.")
    storage, name = document.file.storage, document.file.name
    assert name is not None  # the file field is required: every document row names its file
    with transaction.atomic():
        audit_record(
            actor=by,
            action="port_document.removed",
            target=port_request,
            changes={"kind": document.kind, "name": document.original_name},
        )
        document.delete()
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def port_document_add(*, by: User, port_request: PortRequest, kind: str, upload: UploadedFile) -> PortDocument:
    """A letter of authority or latest bill, within the type and size limits."""
    if not can_add_documents(by, port_request):
        raise PermissionDenied("You cannot add documents to this port request.")
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": ["Choose what the document is."]})
    # The upload form's FileField refuses a file without a name or an empty one.
    assert upload.name is not None and upload.size is not None
    limit = getattr(settings, "PORTING_DOCUMENT_MAX_BYTES", DOCUMENT_MAX_BYTES)
    if upload.size > limit:
        raise ValidationError(
            {"file": [f"The file is {upload.size / 2**20:.1f} MB; the limit is {limit / 2**20:.0f} MB."]}
        )
    content_type = _document_type(upload)
    document = PortDocument(
        port_request=port_request,
        kind=kind,
        original_name=(upload.name or "document")[-200:],
        content_type=content_type,
        size=upload.size,
        uploaded_by=by,
        # An uploaded letter is taken as signed for what the request says now (the partner uploads
        # the scan of the letter the portal generated from it).
        covers=loa_fingerprint(port_request) if kind == DocumentKind.LETTER_OF_AUTHORITY else "",
    )
    document.file.save(upload.name, upload, save=False)
    document.save()
    audit_record(
        actor=by,
        action="port_document.added",
        target=port_request,
        changes={"kind": kind, "name": document.original_name, "size": document.size},
    )
    return document


@transaction.atomic
def loa_sign_online(
    *, by: User, port_request: PortRequest, name: str, position: str, consent: bool, address: str
) -> PortDocument:
    """P3, P6: the end customer signs the letter of authority in the portal: their typed name and
    position, the consent they ticked, the time (UTC), the address they signed from and the portal
    user who collected it are stamped into a regenerated PDF, kept as the request's signed letter,
    and audited. Only while the request can still change (a draft or a rejected one)."""
    port_request = (
        PortRequest.objects.select_for_update(of=("self",))
        .select_related("partner", "customer_group")
        .get(pk=port_request.pk)
    )
    if not can_add_documents(by, port_request):
        raise PermissionDenied("You cannot sign letters of authority for this port request.")
    if port_request.status not in EDITABLE_STATUSES:
        raise ValidationError(
            {"__all__": [f"A port request that is “{port_request.get_status_display()}” needs no new letter."]}
        )
    name, position = (name or "").strip(), (position or "").strip()
    errors = {}
    if not name:
        errors["name"] = ["Type the full name of the person signing for the end customer."]
    if not position:
        errors["position"] = ["Type their position at the end customer (e.g. Office Manager)."]
    if not consent:
        errors["consent"] = ["The signer must tick the box to agree to the letter's authorisation."]
    if errors:
        raise ValidationError(errors)
    signed_at = timezone.now()
    signature = Signature(
        name=name, position=position, at=signed_at, address=address, collected_by=f"{by.display_name} ({by.username})"
    )
    document = PortDocument(
        port_request=port_request,
        kind=DocumentKind.LETTER_OF_AUTHORITY,
        original_name=f"letter-of-authority-{port_request.pk}-signed.pdf",
        content_type="application/pdf",
        uploaded_by=by,
        covers=loa_fingerprint(port_request),
        signer_name=name,
        signer_position=position,
        signed_at=signed_at,
        signed_from=address,
    )
    content = loa_pdf(port_request, signature=signature)
    document.size = len(content)
    document.file.save(document.original_name, ContentFile(content), save=False)
    document.save()
    audit_record(
        actor=by,
        action="port_loa.signed_online",
        target=port_request,
        changes={
            "signer": name,
            "position": position,
            "signed_at": signed_at.isoformat(),
            "address": address,
            "consent": LOA_CONSENT,
            "document": document.pk,
        },
    )
    return document


@transaction.atomic
def port_comment_add(*, by: User, port_request: PortRequest, body: str, internal: bool | None = None) -> PortComment:
    """Partner users' comments are always visible to the partner; only staff write internal ones,
    and a staff comment is internal unless its author shows it to the partner."""
    if internal is None:
        internal = not by.is_partner_user
    if by.is_partner_user:
        if by.partner_id != port_request.partner_id:
            raise PermissionDenied("You can comment only on your own partner's port requests.")
        if internal:
            raise PermissionDenied("Only EXPO.e staff write internal comments.")
    require_perm(by, "porting.add_portcomment", action="comment on port requests")
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": ["Write the comment."]})
    comment = PortComment.objects.create(port_request=port_request, author=by, body=body, internal=internal)
    audit_record(
        actor=by,
        action="port_comment.added",
        target=port_request,
        changes={"internal": internal},
    )
    return comment
