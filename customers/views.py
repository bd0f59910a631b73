"""Customer groups: the build request form, its preview and confirmation, the list and the detail page.

Every read goes through accounts.scoping, so another partner's group is a 404; every change goes
through onboarding.services, which checks every rule and saves nothing when anything is wrong.
Generated admin passwords (A2) reach the preview through the session, encrypted, under a key popped
when the preview renders: never in a URL, a message or a log.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables

from accounts.scoping import get_scoped_or_404, scope_for
from expoe_portal import vault
from expoe_portal.pages import list_page, posted_to
from expoe_portal.transitions import TransitionConflict
from integrations.models import ExternalCall
from number_pool.choices import NumberStatus
from number_pool.models import Number
from number_pool.parsing import number_ranges
from partners.models import Partner

from . import builds, changes, services
from .build_request import (
    AKIXI_PARTITION_FIXED,
    AKIXI_USER_FIXED_SETTINGS,
    build_plan,
    partner_refusals,
    suggest_group_id,
)
from .build_steps import manual_instructions_for, step_assumptions
from .choices import BuildStatus, BuildStepName, StepStatus
from .emails import CALL_RECORDING_NEXT_STEP
from .filters import CustomerGroupFilter
from .forms import BuildRequestForms
from .models import BuildStep, CustomerGroup
from .selectors import (
    build_operations,
    build_summary,
    by_platform,
    group_changes,
    handover_details,
    with_latest_build_status,
)
from .tables import CustomerGroupTable

POOL_HINT_NUMBERS = 500  # summarised as ranges beside the numbers box
POOL_HINT_RANGES = 12
CHANGES_SHOWN = 20  # on the customer's page; the API lists them all
NOT_AUTHOR = "Only co-ordinators, administrators and the partner's own users change customer build requests."


def _passwords_key(group) -> str:
    return f"onboarding.generated_passwords.{group.pk}"


def _keep_passwords(request, group, generated: dict) -> None:
    """A2: kept, encrypted, only until the preview shows them once (a later save adds to any not yet shown)."""
    if generated:
        key = _passwords_key(group)
        encrypted = {user_id: vault.encrypt(password) for user_id, password in generated.items()}
        request.session[key] = {**request.session.get(key, {}), **encrypted}


def _pop_passwords(request, group) -> dict:
    return {user_id: vault.decrypt(token) for user_id, token in request.session.pop(_passwords_key(group), {}).items()}


def _group_get(user, pk) -> CustomerGroup:
    queryset = CustomerGroup.objects.select_related("partner", "created_by").prefetch_related(
        "admins", "akixi_users", "builds"
    )
    return get_scoped_or_404(user, queryset, pk=pk)


def _authored_group_get(user, pk) -> CustomerGroup:
    """A group whose build request the user may write: scope first (another partner's group is a
    404 before any question of permission), then the author's right (403)."""
    group = _group_get(user, pk)
    if not services.can_assign_numbers(user, group):
        raise PermissionDenied(NOT_AUTHOR)
    return group


def _pool_hint(user, partner: Partner | None):
    """The partner's available numbers, summarised as ranges (N1), to choose from."""
    if partner is None:
        return None
    available = scope_for(user, Number.objects.filter(partner=partner, status=NumberStatus.AVAILABLE))
    first = list(available.order_by("e164").values_list("e164", flat=True)[:POOL_HINT_NUMBERS])
    runs = number_ranges(first)
    count = available.count() if len(first) == POOL_HINT_NUMBERS else len(first)
    return {
        "partner": partner,
        "count": count,
        "ranges": runs[:POOL_HINT_RANGES],
        "more": len(runs) > POOL_HINT_RANGES or count > len(first),
    }


def _form_page(request, forms, *, partner, group=None, blocked=()):
    for message in blocked:
        if message not in forms.top_errors:
            forms.top_errors.insert(0, message)
    return render(
        request,
        "customers/group_form.html",
        {
            "forms": forms,
            "partner": partner,
            "group": group,
            "blocked": bool(blocked),
            "pool": _pool_hint(request.user, partner or forms.partner),
            "akixi_user_fixed": AKIXI_USER_FIXED_SETTINGS,
            "akixi_partition_fixed": AKIXI_PARTITION_FIXED,
        },
    )


@login_required
@permission_required("customers.add_customergroup", raise_exception=True)
def group_create(request):
    """Co-ordinators and administrators build for any partner; a partner user for their own only."""
    user = request.user
    if user.is_partner_user:
        partner, partners = get_scoped_or_404(user, Partner.objects.all(), pk=user.partner_id), None
    else:
        partner, partners = None, scope_for(user, Partner.objects.all())
    blocked = partner_refusals(partner) if partner else []
    forms = BuildRequestForms(request.POST or None, partners=partners)
    if request.method == "POST":
        if forms.is_valid():
            try:
                group, generated = services.customer_group_create(
                    by=user, partner=partner or forms.partner, data=forms.as_request()
                )
            except ValidationError as exc:
                forms.add_service_errors(exc)
            else:
                _keep_passwords(request, group, generated)
                messages.success(
                    request, f"Build request for {group.group_id} saved as a draft: check it, then confirm."
                )
                return redirect("customers:group_preview", pk=group.pk)
        elif partner or forms.partner:
            forms.collect_rule_errors(partner=partner or forms.partner)
        forms.suggest_group_id(suggest_group_id)
    return _form_page(request, forms, partner=partner, blocked=blocked)


@login_required
def group_edit(request, pk):
    group = _authored_group_get(request.user, pk)
    if not group.is_draft:
        messages.info(request, "This build request is confirmed; it can no longer be changed.")
        return redirect(group)
    forms = BuildRequestForms(request.POST or None, request=services.customer_group_as_request(group))
    if request.method == "POST":
        if forms.is_valid():
            try:
                group, generated = services.customer_group_update(by=request.user, group=group, data=forms.as_request())
            except TransitionConflict as exc:
                messages.error(request, str(exc))
                return redirect(group)
            except ValidationError as exc:
                forms.add_service_errors(exc)
            else:
                _keep_passwords(request, group, generated)
                messages.success(request, f"Build request for {group.group_id} saved: check it, then confirm.")
                return redirect("customers:group_preview", pk=group.pk)
        else:
            forms.collect_rule_errors(partner=group.partner, group=group)

        def taken(candidate):
            return CustomerGroup.objects.filter(group_id__iexact=candidate).exclude(pk=group.pk).exists()

        forms.suggest_group_id(lambda name: suggest_group_id(name, taken=taken))
    return _form_page(request, forms, partner=group.partner, group=group, blocked=partner_refusals(group.partner))


@never_cache  # the page may hold passwords: never from the browser's cache or back button
@login_required
def group_preview(request, pk):
    group = _authored_group_get(request.user, pk)
    if not group.is_draft:
        return redirect(group)
    passwords = _pop_passwords(request, group)
    services.admin_passwords_shown(by=request.user, user_ids=passwords)  # this once, here (A2)
    platforms = by_platform(build_plan(group), into="steps")
    return render(
        request, "customers/group_preview.html", {"group": group, "platforms": platforms, "passwords": passwords}
    )


@login_required
@posted_to(_group_get)
def group_submit(request, group):
    """Confirm a previewed build request (POST only); the service refuses anyone not its author."""
    try:
        _build, outcome = builds.build_start(by=request.user, group=group)
    except TransitionConflict as exc:
        messages.error(request, str(exc))
    else:
        level = messages.INFO if outcome == builds.StartOutcome.UNCHANGED else messages.SUCCESS
        messages.add_message(request, level, outcome.describe(group))
    request.session.pop(_passwords_key(group), None)
    return redirect(group)


# --- List and detail -------------------------------------------------------------------------


@login_required
@permission_required("customers.view_customergroup", raise_exception=True)
def group_list(request):
    waiting = BuildStep.objects.filter(build__group=OuterRef("pk"), status=StepStatus.WAITING)
    queryset = scope_for(
        request.user,
        with_latest_build_status(
            CustomerGroup.objects.select_related("partner")
            .prefetch_related("builds")
            .annotate(number_count=Count("numbers"), build_waiting=Exists(waiting))
        ),
    )
    filterset = CustomerGroupFilter(request.GET, queryset=queryset)
    can_add = request.user.has_perm("customers.add_customergroup")
    return list_page(
        request, "customers/group_list.html", filterset=filterset, table_class=CustomerGroupTable, can_add=can_add
    )


@login_required
@permission_required("customers.view_customergroup", raise_exception=True)
def group_detail(request, pk):
    group = _group_get(request.user, pk)
    numbers = list(group.numbers.values_list("e164", flat=True))
    return render(
        request,
        "customers/group_detail.html",
        {
            "group": group,
            "number_count": len(numbers),
            "number_ranges": number_ranges(numbers),
            "can_change": group.is_draft and services.can_assign_numbers(request.user, group),
            **_build_context(request.user, group),
            **changes_context(request.user, group),
        },
    )


def changes_context(user, group) -> dict:
    """The customer's changes after its build (#15), newest first, and which can start now."""
    listed = list(group_changes(group)[:CHANGES_SHOWN])
    first = group.build
    open_one = next((c for c in listed if c.status in changes.OPEN), None)
    may_change = services.can_assign_numbers(user, group)
    can_start = (
        may_change
        and first is not None
        and first.status == BuildStatus.SUCCEEDED
        and open_one is None
        and group.decommissioned_at is None
    )
    return {
        "changes": listed,
        "open_change": open_one,
        "change_steps": list(open_one.steps.all()) if open_one else [],
        "can_start_change": can_start,
        # What this person may start here, by kind, in the order the page offers them.
        "startable_changes": [
            (name, title)
            for name, title in changes.CHANGE_TITLES.items()
            if can_start and changes.may_make(user, group, name)
        ],
        "change_titles": changes.CHANGE_TITLES,
        "can_act_on_change": may_change,
        "can_confirm_by_hand": user.role in builds.CONFIRMERS,
    }


def _build_context(user, group) -> dict:
    build = getattr(group, "build", None)
    calls = []
    if build is not None and user.is_staff_member:  # platform calls are for staff eyes only
        calls = list(ExternalCall.objects.filter(context__startswith=f"build:{build.pk}/").order_by("started_at")[:200])
    steps = list(build.steps.order_by("position")) if build else []
    for step in steps:
        # Staff see which steps rest on our assumption of a platform's contract, not its documentation.
        step.assumptions = step_assumptions(step.name) if user.is_staff_member else []
    waiting = next((step for step in steps if step.status == StepStatus.WAITING), None)
    return {
        "build": build,
        # Queued or running with nothing live moving it: the page says so and offers to queue it again.
        "stalled": build is not None and builds.build_stalled(build),
        "steps": steps,
        # The preview's operations, in its order and with its names, each with its steps' status.
        "operations": build_operations(group, steps) if build else [],
        "summary": build_summary(group),
        "can_build": services.can_assign_numbers(user, group),
        "calls": calls,
        "waiting_step": waiting,
        "call_recording_next_step": CALL_RECORDING_NEXT_STEP if group.has_callcabinet else "",
        "partner_portal_url": settings.PARTNER_PORTAL_URL,
        # Only those who will type it into the platform see the instructions and the confirm form.
        "manual_instructions": (
            manual_instructions_for(waiting.name, group) if waiting and user.role in builds.CONFIRMERS else []
        ),
        "manual_platform": "callcabinet" if waiting and waiting.name == BuildStepName.CALLCABINET_CUSTOMER else "akixi",
        "manual_reference": builds.MANUAL_STEPS.get(waiting.name) if waiting else None,
    }


@login_required
def group_build_status(request, pk):
    """The build section alone, for htmx to poll while the build runs."""
    group = _group_get(request.user, pk)
    return render(request, "customers/_group_build.html", {"group": group, **_build_context(request.user, group)})


@login_required
@posted_to(_group_get)
def group_callcabinet_confirm(request, group):
    """A platform in manual mode: the co-ordinator confirms the waiting step they did by hand (the
    Essential customer in Call Cabinet, C2-C5; the partition or the reporting users in Akixi, K2-K4)."""
    try:
        confirmed = builds.build_confirm_manual_step(
            by=request.user, group=group, reference=request.POST.get("reference", "")
        )
    except ValidationError as exc:
        for text in exc.message_dict.get("reference", exc.messages):
            messages.error(request, text)
    except TransitionConflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, builds.CONFIRMED[confirmed])
    return redirect(group)


@login_required
@posted_to(_group_get)
def group_build_cancel(request, group):
    build = getattr(group, "build", None)
    if build is None:
        messages.error(request, "There is no build to cancel.")
    else:
        try:
            builds.build_cancel(by=request.user, build=build)
        except TransitionConflict as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "The build stops before its next step.")
    return redirect(group)


# --- The hand-over page: what the partner passes to the end customer --------------------------------


@sensitive_variables("revealed", "context")
def _handover_page(request, group, *, revealed=None, status=200):
    context = {"group": group, "revealed": revealed, **handover_details(group)}
    context["can_reveal"] = services.can_assign_numbers(request.user, group)
    response = render(request, "customers/group_handover.html", context, status=status)
    response["Cache-Control"] = "no-store"  # a revealed password is never kept by a browser or a proxy
    return response


@login_required
@permission_required("customers.view_customergroup", raise_exception=True)
def group_handover(request, pk):
    return _handover_page(request, _group_get(request.user, pk))


@login_required
@posted_to(_group_get)
@sensitive_variables("admin", "password")
def group_handover_reveal(request, group):
    """A2: one generated administrator password, shown once in this response's page (never in a URL,
    a message or a log) and wiped."""
    try:
        admin, password = services.group_admin_password_reveal(
            by=request.user, group=group, admin_id=int(request.POST.get("admin") or 0)
        )
    except services.PasswordAlreadyShown as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    else:
        return _handover_page(request, group, revealed={"user_id": admin.user_id, "password": password})
    return redirect("customers:group_handover", pk=group.pk)
