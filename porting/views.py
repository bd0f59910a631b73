from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Sum, TextField
from django.db.models.functions import Cast, Coalesce
from django.http import FileResponse, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from accounts.scoping import scope_for
from expoe_portal.csv_export import (
    CsvText,
    IsoDate,
    IsoDateTime,
    JoinedNumbers,
    csv_copy_response,
    csv_response,
    database_writes_csv,
)
from expoe_portal.forms import apply_service_errors
from expoe_portal.pages import list_page, posted_to, saved_by_service, transition_page
from expoe_portal.transitions import TransitionRefused

from . import dashboard, dates, loa, providers, rules, selectors, services
from . import documents as document_services
from . import numbers as bulk
from .choices import PORT_RISKS, PlatformStatus
from .filters import PortRequestFilter
from .forms import (
    TRANSITION_FORMS,
    CommentForm,
    CountryRequirementsForm,
    DocumentForm,
    LeadTimeRuleForm,
    LoaSignForm,
    PortDateChangeForm,
    PortRequestForm,
    ProviderForm,
    initial_for,
    transition_form,
)
from .models import CARRIER_EVENTS, PORT_TRANSITION_LABELS, LeadTimeRule, PortDocument, PortRequest, Provider
from .platform import RETRIERS, ported_numbers_retry
from .tables import PortRequestTable


@login_required
@permission_required("porting.view_portrequest", raise_exception=True)
def port_list(request):
    """The co-ordinators' queue (and a partner user's own requests): filters, search, pages."""
    filterset = PortRequestFilter(request.GET, queryset=selectors.port_request_list(user=request.user))
    query = request.GET.copy()
    query.pop("page", None)  # the CSV export takes the filters, not the page
    return list_page(
        request,
        "porting/port_list.html",
        filterset=filterset,
        table_class=PortRequestTable,
        query=query.urlencode(),
        can_add=request.user.has_perm("porting.add_portrequest"),
        # Issue #18: the queue counts numbers as well as requests (one aggregate query).
        totals=filterset.qs.order_by().aggregate(requests=Count("id"), numbers=Coalesce(Sum("number_count"), 0)),
    )


def as_read(value: Any) -> Any:
    return value  # (csv_cell writes None as an empty cell)


# (column, the field read for it, how Python writes its value, the same text in SQL): read as plain
# values, never as model instances; on PostgreSQL the database writes the lines itself (#14).
CSV_COLUMNS: list[tuple[str, str, Callable[[Any], Any], Callable[[str], Any]]] = [
    ("id", "id", str, lambda field: Cast(field, TextField())),
    ("partner", "partner__partner_id", str, F),
    ("country", "country", str, F),
    ("region", "region", str, F),
    ("number_type", "number_type", str, F),
    ("main_billing_number", "main_billing_number", str, F),
    ("numbers", "numbers", lambda numbers: " ".join(numbers or []), JoinedNumbers),
    ("losing_provider", "losing_provider", str, F),
    ("range_holder", "range_holder", str, F),
    ("status", "status", str, F),
    ("submitted_at", "submitted_at", lambda when: when.isoformat() if when else "", IsoDateTime),
    ("accepted_on", "accepted_on", as_read, IsoDate),
    ("lead_time_working_days", "lead_time_working_days", as_read, lambda field: Cast(field, TextField())),
    ("port_date", "port_date", as_read, IsoDate),
    ("completed_on", "completed_on", as_read, IsoDate),
]


# Rows read from the database at a time (a server-side cursor, where the database does not write
# the CSV itself): the response starts with the first chunk and never holds more than one.
CSV_CHUNK_ROWS = 5000


@login_required
@permission_required("porting.view_portrequest", raise_exception=True)
def port_export_csv(request):
    """The queue's filtered list as CSV (same filters and scope), streamed so 100,000 rows fit."""
    filterset = PortRequestFilter(request.GET, queryset=selectors.port_request_list(user=request.user))
    ports = filterset.qs.order_by("id")
    filename, header = f"port-requests-{timezone.localdate():%Y%m%d}.csv", [name for name, *_ in CSV_COLUMNS]
    if database_writes_csv(ports):
        texts = {f"csv_{n}": CsvText(sql(field)) for n, (_, field, _, sql) in enumerate(CSV_COLUMNS)}
        return csv_copy_response(filename, header, ports.annotate(**texts).values_list(*texts))
    values = ports.values_list(*(field for _, field, _, _ in CSV_COLUMNS))
    writers = [write for _, _, write, _ in CSV_COLUMNS]
    return csv_response(
        filename,
        header,
        (
            [write(value) for write, value in zip(writers, row, strict=True)]
            for row in values.iterator(chunk_size=CSV_CHUNK_ROWS)
        ),
    )


@login_required
@permission_required("porting.add_portrequest", raise_exception=True)
def port_create(request):
    form = PortRequestForm(request.POST or None, request.FILES or None, user=request.user)

    def save():
        partner = request.user.partner if request.user.is_partner_user else form.cleaned_data["partner"]
        return services.port_request_create(by=request.user, partner=partner, data=form.service_data())

    saved = saved_by_service(
        request,
        form,
        save,
        success=lambda port_request: f"Draft port request {port_request.pk} saved. Submit it when it is complete.",
        then=lambda port_request: port_request,
    )
    return saved or render(request, "porting/port_form.html", {"form": form, "port_request": None, "risks": PORT_RISKS})


@login_required
def port_edit(request, pk):
    port_request = selectors.port_request_get(user=request.user, pk=pk)
    if not request.user.has_perm("porting.change_portrequest"):
        raise PermissionDenied("You cannot change port requests.")
    if not port_request.is_editable:
        messages.error(request, f"A port request that is “{port_request.get_status_display()}” cannot be changed.")
        return redirect(port_request)
    form = PortRequestForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        partner=port_request.partner,
        initial=initial_for(port_request),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.port_request_update(by=request.user, port_request=port_request, data=form.service_data())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except TransitionRefused as exc:
            messages.error(request, str(exc))
            return redirect(port_request)
        else:
            messages.success(request, "Port request saved.")
            return redirect(port_request)
    return render(request, "porting/port_form.html", {"form": form, "port_request": port_request, "risks": PORT_RISKS})


def _detail_page(
    request, port_request, *, bound_form=None, document_form=None, comment_form=None, date_form=None, status=200
):
    user = request.user
    transitions = selectors.port_request_transitions(port_request=port_request, user=user)
    for row in transitions:
        if bound_form is not None and bound_form.prefix == row["name"]:
            row["form"], row["open"] = bound_form, True
        else:
            row["form"] = transition_form(row["name"], port_request, user=user)
    can_comment = user.has_perm("porting.add_portcomment") and (
        not user.is_partner_user or user.partner_id == port_request.partner_id
    )
    documents = list(port_request.documents.all())  # prefetched with who uploaded them
    comments = list(selectors.port_comments_for(user=user, port_request=port_request))
    context = {
        "port_request": port_request,
        "transitions": transitions,
        "timeline": selectors.port_request_timeline(
            user=user, port_request=port_request, comments=comments, documents=documents
        ),
        "rejections": list(port_request.rejections.all()),
        "documents": documents,
        "comments": comments,
        "missing": services.missing_for_submission(port_request) if port_request.is_editable else {},
        "can_edit": port_request.is_editable and user.has_perm("porting.change_portrequest"),
        "can_add_documents": document_services.can_add_documents(user, port_request),
        **_loa_context(user, port_request),
        "can_retry_platform": user.role in RETRIERS,
        "document_form": document_form or DocumentForm(),
        "can_comment": can_comment,
        "comment_form": comment_form or CommentForm(user=user),
        "risks": PORT_RISKS,
        # Issue #18: each number's status, the requests split from this one, the range holder check.
        "number_statuses": selectors.ported_number_counts(port_request),
        "refused_numbers": selectors.refused_numbers(port_request),
        "children": list(port_request.children.order_by("pk")),
        "range_holder_warnings": bulk.range_holder_warnings(port_request),
        "date_changes": list(port_request.date_changes.all()),  # prefetched with who
        "can_change_date": port_request.status == "accepted" and CARRIER_EVENTS(port_request, user),
        "date_form": date_form or PortDateChangeForm(),
    }
    return render(request, "porting/port_detail.html", context, status=status)


def _loa_context(user, port_request) -> dict[str, Any]:
    requirements = rules.country_requirements(port_request.country)
    return {
        "loa_required": bool(requirements and "letter_of_authority" in requirements.required_documents),
        "loa": loa.current_loa(port_request),
        "loa_void": loa.void_loa(port_request),
        "can_sign_loa": port_request.is_editable and document_services.can_add_documents(user, port_request),
    }


@login_required
@permission_required("porting.view_portrequest", raise_exception=True)
def port_loa_download(request, pk):
    """The letter of authority pre-filled from the request, to print and sign (or to read before
    signing online); anyone who may see the request may download it."""
    port_request = selectors.port_request_get(user=request.user, pk=pk)
    response = HttpResponse(loa.loa_pdf(port_request), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="letter-of-authority-{port_request.pk}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def port_loa_sign(request, pk):
    """The end customer signs the letter online: name, position, consent; stamped with the time,
    the address the portal sees and the user who collected it (P3, P6)."""
    port_request = selectors.port_request_get(user=request.user, pk=pk)
    if not document_services.can_add_documents(request.user, port_request):
        raise PermissionDenied("You cannot sign letters of authority for this port request.")
    if not port_request.is_editable:
        messages.error(request, f"A port request that is “{port_request.get_status_display()}” needs no new letter.")
        return redirect(port_request)
    form = LoaSignForm(request.POST or None)
    saved = saved_by_service(
        request,
        form,
        lambda: document_services.loa_sign_online(
            by=request.user, port_request=port_request, address=request.META.get("REMOTE_ADDR", ""), **form.cleaned_data
        ),
        success=lambda document: f"Letter of authority signed by {document.signer_name}.",
        then=lambda document: port_request,
    )
    context = {
        "form": form,
        "port_request": port_request,
        "risks": PORT_RISKS,
        **_loa_context(request.user, port_request),
    }
    return saved or render(request, "porting/loa_sign.html", context)


@login_required
@permission_required("porting.view_portrequest", raise_exception=True)
def port_detail(request, pk):
    return _detail_page(request, selectors.port_request_get(user=request.user, pk=pk))


@login_required
def port_transition(request, pk, name):
    """GET points at the transition's form on the request page; POST runs it."""
    port_request = selectors.port_request_get(user=request.user, pk=pk)

    def explain(exc):
        if name in ("submit", "resubmit"):
            # P3: say which fields are missing, in the form's own message and beside them on edit.
            messages.error(request, " ".join(exc.message_dict.get("__all__", [])) or "Cannot submit yet.")

    return transition_page(
        request,
        instance=port_request,
        name=name,
        forms=TRANSITION_FORMS,
        form_for=transition_form,
        run=lambda instance, **kwargs: services.port_request_transition(port_request=instance, **kwargs),
        redisplay=lambda form: _detail_page(request, port_request, bound_form=form, status=400),
        label=PORT_TRANSITION_LABELS.get(name, name),
        on_invalid=explain,
    )


@login_required
@posted_to(selectors.port_request_get)
def port_date_change(request, port_request):
    """Co-ordinators: the carrier moved the confirmed port date (P4); kept with the reason."""
    form = PortDateChangeForm(request.POST)
    if form.is_valid():
        try:
            dates.port_date_change(by=request.user, port_request=port_request, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except TransitionRefused as exc:
            messages.error(request, str(exc))
            return redirect(port_request)
        else:
            messages.success(request, f"Port date changed to {form.cleaned_data['port_date']:%d %b %Y}.")
            return redirect(port_request)
    return _detail_page(request, port_request, date_form=form, status=400)


@login_required
@posted_to(selectors.port_request_get)
def port_platform_retry(request, port_request):
    """Staff: add the ported numbers to BroadWorks again after a refusal was fixed."""
    port_request = ported_numbers_retry(by=request.user, port_request=port_request)
    if port_request.platform_status == PlatformStatus.PENDING:
        messages.success(request, "The numbers are being added to BroadWorks again.")
    else:
        messages.error(request, "There is no failed BroadWorks step to retry.")
    return redirect(port_request)


@login_required
@posted_to(selectors.port_request_get)
def port_document_add(request, port_request):
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            document = document_services.port_document_add(
                by=request.user,
                port_request=port_request,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"{document.get_kind_display()} uploaded.")
            return redirect(port_request)
    return _detail_page(request, port_request, document_form=form, status=400)


def _document_get(request, pk, document_pk):
    """A document of a request in the user's scope (else 404)."""
    port_request = selectors.port_request_get(user=request.user, pk=pk)
    document = get_object_or_404(
        scope_for(request.user, PortDocument.objects.filter(port_request=port_request)), pk=document_pk
    )
    return port_request, document


@login_required
def port_document_download(request, pk, document_pk):
    """The only way to a document: the request must be in the user's scope (else 404)."""
    _, document = _document_get(request, pk, document_pk)
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def port_document_remove(request, pk, document_pk):
    """POST only (the page asks for confirmation first)."""
    port_request, document = _document_get(request, pk, document_pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    document_services.port_document_remove(by=request.user, document=document)
    messages.success(request, f"Removed {document.get_kind_display().lower()} “{document.original_name}”.")
    return redirect(port_request)


@login_required
@posted_to(selectors.port_request_get)
def port_comment_add(request, port_request):
    form = CommentForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            document_services.port_comment_add(
                by=request.user,
                port_request=port_request,
                body=form.cleaned_data["body"],
                internal=not form.cleaned_data.get("for_partner", True),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Comment added.")
            return redirect(f"{port_request.get_absolute_url()}#comments")
    return _detail_page(request, port_request, comment_form=form, status=400)


# --- Lead-time rules (P4), editable by managers and administrators ---------------------------------


@login_required
@permission_required("porting.view_leadtimerule", raise_exception=True)
def rule_list(request):
    rules, countries = LeadTimeRule.objects.select_related("updated_by"), selectors.PortingCountry.objects.all()
    can_edit = request.user.has_perm("porting.change_leadtimerule")
    return render(request, "porting/rule_list.html", {"rules": rules, "countries": countries, "can_edit": can_edit})


@login_required
@permission_required("porting.change_leadtimerule", raise_exception=True)
def rule_edit(request, pk):
    rule = get_object_or_404(LeadTimeRule, pk=pk)
    form = LeadTimeRuleForm(request.POST or None, instance=rule)
    saved = saved_by_service(
        request,
        form,
        lambda: rules.lead_time_rule_update(by=request.user, rule=rule, **form.cleaned_data),
        success=lambda rule: f"Saved: {rule.label}. Requests accepted from now on use it.",
        then="porting:rules",
    )
    return saved or render(request, "porting/rule_form.html", {"form": form, "rule": rule})


@login_required
@permission_required("porting.view_provider", raise_exception=True)
def provider_list(request):
    """The providers' list managers keep (issue #16): every provider, how many requests name it,
    and a form to add one."""
    can_edit = request.user.has_perm("porting.add_provider")
    form = ProviderForm(request.POST or None, prefix="add")
    if request.method == "POST" and not can_edit:
        raise PermissionDenied("Only managers keep the providers' list.")
    saved = saved_by_service(
        request,
        form,
        lambda: providers.provider_create(by=request.user, name=form.cleaned_data["name"]),
        success=lambda provider: f"{provider.name} added to the providers' list.",
        then="porting:providers",
    )
    context = {"providers": selectors.provider_usage(), "form": form, "can_edit": can_edit}
    return saved or render(request, "porting/provider_list.html", context)


@login_required
@permission_required("porting.change_provider", raise_exception=True)
def provider_edit(request, pk):
    provider = get_object_or_404(Provider, pk=pk)
    form = ProviderForm(request.POST or None, initial={"name": provider.name, "active": provider.active})
    saved = saved_by_service(
        request,
        form,
        lambda: providers.provider_update(by=request.user, provider=provider, **form.cleaned_data),
        success=lambda provider: f"{provider.name} saved.",
        then="porting:providers",
    )
    return saved or render(request, "porting/provider_form.html", {"form": form, "provider": provider})


@login_required
@permission_required("porting.change_leadtimerule", raise_exception=True)
def country_edit(request, pk):
    country = get_object_or_404(selectors.PortingCountry, pk=pk)
    form = CountryRequirementsForm(
        request.POST or None,
        initial={"required_fields": country.required_fields, "required_documents": country.required_documents},
    )
    saved = saved_by_service(
        request,
        form,
        lambda: rules.porting_country_update(by=request.user, country=country, **form.cleaned_data),
        success=f"Saved what {country.name} requires. Submissions from now on are checked against it.",
        then="porting:rules",
    )
    return saved or render(request, "porting/country_form.html", {"form": form, "country": country})


# --- Port lead-time dashboard ------------------------------------------------------------------------


@login_required
@permission_required("porting.view_port_dashboard", raise_exception=True)
def port_dashboard(request):
    filterset = PortRequestFilter(request.GET, queryset=selectors.port_request_list(user=request.user))
    query = request.GET.copy()
    data = dashboard.port_dashboard_cached(filterset.qs)
    slippage_tables = [
        ("Slippage by losing provider", data["by_losing_provider"], "losing_provider"),
        ("Slippage by country", data["by_country"], "country"),
    ]
    context = {"filter": filterset, "data": data, "query": query.urlencode(), "slippage_tables": slippage_tables}
    return render(request, "porting/dashboard.html", context)


__all__ = ["PortRequest"]
