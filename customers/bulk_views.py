"""Bulk onboarding pages (#15): upload a spreadsheet of customers, see every mistake by row and cell
(and download them), preview and confirm them all at once, then follow their builds in one view.

Every read goes through accounts.scoping (another partner's upload is a 404); every change goes
through customers.bulk, which checks who may do it. Generated admin passwords (A2) reach the page
through the session, encrypted, under a key popped when the page first shows them: never in a URL,
a message or a log (as for one customer, customers.views).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from accounts.scoping import get_scoped_or_404, scope_for
from expoe_portal import vault
from expoe_portal.csv_export import csv_response
from expoe_portal.pages import posted_to
from expoe_portal.transitions import TransitionConflict
from number_pool.parsing import numbers_as_text
from partners.models import Partner

from . import bulk
from .build_request import default_admin_user_id
from .bulk_sheet import MAX_ROWS, template_columns, template_csv, template_xlsx
from .choices import BulkUploadStatus
from .forms import BulkUploadForm
from .models import BulkUpload

RECENT_UPLOADS = 20
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload_get(user, pk) -> BulkUpload:
    if not user.has_perm("customers.view_customergroup"):
        raise Http404  # as for any object out of the user's reach
    return get_scoped_or_404(user, BulkUpload.objects.select_related("partner", "uploaded_by"), pk=pk)


def _passwords_key(upload) -> str:
    return f"customers.bulk_passwords.{upload.pk}"


def _keep_passwords(request, upload, passwords: dict) -> None:
    """A2: kept, encrypted, only until the upload's page shows them once."""
    encrypted = {
        group_id: {user_id: vault.encrypt(password) for user_id, password in generated.items()}
        for group_id, generated in passwords.items()
        if generated
    }
    if encrypted:
        request.session[_passwords_key(upload)] = encrypted


def _pop_passwords(request, upload) -> dict:
    kept = request.session.pop(_passwords_key(upload), {})
    return {
        group_id: {user_id: vault.decrypt(token) for user_id, token in generated.items()}
        for group_id, generated in kept.items()
    }


@login_required
@permission_required("customers.add_customergroup", raise_exception=True)
def bulk_upload(request):
    """The upload form, the template and the user's recent uploads. Co-ordinators and
    administrators choose the partner; a partner user uploads for their own."""
    user = request.user
    if user.is_partner_user:
        partner, partners = get_scoped_or_404(user, Partner.objects.all(), pk=user.partner_id), None
    else:
        partner, partners = None, scope_for(user, Partner.objects.all())
    form = BulkUploadForm(request.POST or None, request.FILES or None, partners=partners)
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        try:
            upload = bulk.bulk_upload_check(
                by=user,
                partner=partner or form.cleaned_data["partner"],
                filename=upload_file.name,
                content=upload_file.read(),
            )
        except ValidationError as exc:
            for key, texts in exc.message_dict.items():
                for text in texts:
                    form.add_error("partner" if key == "partner" and partners is not None else "file", text)
        else:
            if upload.error_count:
                messages.error(
                    request, f"{upload.error_count} of {upload.row_count} rows have errors: nothing will be built."
                )
            else:
                messages.success(request, f"All {upload.row_count} rows are ready: check them, then confirm.")
            return redirect(upload)
    recent = scope_for(user, BulkUpload.objects.select_related("partner", "uploaded_by"))[:RECENT_UPLOADS]
    return render(
        request,
        "customers/bulk_upload.html",
        {
            "form": form,
            "partner": partner,
            "recent": recent,
            "columns": template_columns(),
            "max_rows": MAX_ROWS,
        },
    )


@login_required
@permission_required("customers.add_customergroup", raise_exception=True)
def bulk_template(request, fmt):
    """The spreadsheet to fill in: the template's columns and one example row."""
    if fmt == "xlsx":
        response = HttpResponse(template_xlsx(), content_type=XLSX)
    elif fmt == "csv":
        response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    else:
        raise Http404("No such template.")
    response["Content-Disposition"] = f'attachment; filename="customers-template.{fmt}"'
    return response


def _preview_rows(upload) -> list[dict]:
    """Each customer as it will be built, in a line each (the page's one preview)."""
    shown = []
    for row in upload.rows.all():
        data = row.data
        domain = data.get("domain", "")
        admins = [
            a.get("user_id") or default_admin_user_id(a.get("first_name", ""), a.get("last_name", ""), domain)
            for a in data.get("admins", [])
        ]
        vp = data.get("voice_portal", {})
        akixi, cc = data.get("akixi", {}), data.get("callcabinet", {})
        shown.append(
            {
                "row": row,
                "numbers": numbers_as_text(sorted(data.get("numbers", [])), separator=", ", dash="–"),
                "number_count": len(data.get("numbers", [])),
                "voice_portal": ", ".join(filter(None, [vp.get("number", ""), vp.get("extension", "")])),
                "admins": admins,
                "akixi": akixi.get("licence", ""),
                "akixi_users": [u.get("username", "") for u in akixi.get("users", [])],
                "callcabinet": cc.get("admin_email", ""),
            }
        )
    return shown


@never_cache  # the page may hold passwords: never from the browser's cache or back button
@login_required
def bulk_detail(request, pk):
    """A checked upload (its errors, or its preview and the confirmation), or a confirmed one (its
    builds' progress, and the generated passwords once)."""
    upload = _upload_get(request.user, pk)
    can_author = bulk.can_author(request.user, upload.partner)
    context = {"upload": upload, "can_author": can_author}
    if upload.status == BulkUploadStatus.CONFIRMED:
        context.update(progress=bulk.bulk_progress(upload), passwords=_pop_passwords(request, upload))
    elif upload.error_count:
        context["bad_rows"] = list(upload.rows.exclude(errors=[]))
    else:
        context["preview"] = _preview_rows(upload)
    return render(request, "customers/bulk_detail.html", context)


@login_required
def bulk_errors(request, pk):
    """Every mistake of the upload, a line each, to correct the spreadsheet beside it."""
    upload = _upload_get(request.user, pk)
    lines = (
        (row.line, error["column"], error["cell"], error["message"])
        for row in upload.rows.all()
        for error in row.errors
    )
    return csv_response(f"bulk-upload-{upload.pk}-errors.csv", ["row", "column", "cell", "message"], lines)


@login_required
@posted_to(_upload_get)
def bulk_confirm(request, upload):
    """Create every customer and queue every build (POST only); a second press builds nothing."""
    try:
        upload, passwords = bulk.bulk_upload_confirm(by=request.user, upload=upload)
    except TransitionConflict as exc:
        messages.info(request, str(exc))
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    else:
        _keep_passwords(request, upload, passwords)
        messages.success(request, f"{upload.row_count} customers confirmed; their builds are queued.")
    return redirect(upload)


@login_required
def bulk_progress(request, pk):
    """The progress section alone, for htmx to poll while builds run."""
    upload = _upload_get(request.user, pk)
    if upload.status != BulkUploadStatus.CONFIRMED:
        return redirect(upload)
    return render(
        request,
        "customers/_bulk_progress.html",
        {
            "upload": upload,
            "progress": bulk.bulk_progress(upload),
            "can_author": bulk.can_author(request.user, upload.partner),
        },
    )


@login_required
@posted_to(_upload_get)
def bulk_retry(request, upload):
    """Retry every failed build of the upload from its failed step (POST only)."""
    retried = bulk.bulk_upload_retry_failed(by=request.user, upload=upload)
    if retried:
        messages.success(request, f"Retrying {len(retried)} failed builds from their failed steps.")
    else:
        messages.info(request, "No build of this upload has failed: nothing to retry.")
    return redirect(upload)
