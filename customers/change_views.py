"""The pages of the changes to a built customer (#15): a change's form, the preview of every platform
operation it performs, its confirmation, and retry or cancel of a failed one. The service
(customers.changes) checks every rule again on confirmation; these pages only ask and show.

A typed administrator password (A2) waits for the confirmation in the session, encrypted, never in
the page; a generated one is shown once, in the confirmation's own response."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from expoe_portal import vault
from expoe_portal.transitions import TransitionConflict

from . import changes
from .change_forms import CHANGE_FORMS, change_form
from .models import ServiceBuild
from .selectors import by_platform
from .views import _group_get, _pool_hint, changes_context


@login_required
def group_changes_status(request, pk):
    """The changes section alone, for htmx to poll while a change runs."""
    group = _group_get(request.user, pk)
    return render(request, "customers/_group_changes.html", {"group": group, **changes_context(request.user, group)})


ACT_DONE = {
    "retry": "runs again from its failed step",
    "cancel": "is cancelled; our records are as before it",
    "confirm": "the step done by hand is confirmed; the change carries on",
}


@login_required
def group_change_act(request, pk, change_id, act):
    """Retry a failed change from its failed step, cancel it (our records put back), or confirm its
    step done by hand (a platform in manual mode); POST only."""
    group = _group_get(request.user, pk)
    change = get_object_or_404(ServiceBuild.objects.select_related("group__partner"), group=group, pk=change_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    act_on = changes.CHANGE_ACTIONS.get(act)
    if act_on is None:
        raise Http404("No such action.")
    try:
        act_on(by=request.user, change=change)
    except (TransitionConflict, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, f"{change.summary}: {ACT_DONE[act]}.")
    return redirect(change.group)


def _password_key(group) -> str:
    return f"customers.change_password.{group.pk}"


def _hidden_values(form) -> list[tuple[str, str]]:
    """The checked values, as the confirmation posts them back (never a password: that waits in the session)."""
    pairs = []
    for name, value in form.cleaned_data.items():
        if name == "password":
            continue
        if isinstance(value, list):
            pairs += [(name, str(v)) for v in value]
        elif isinstance(value, bool):
            pairs += [(name, "on")] if value else []
        else:
            pairs.append((name, str(value)))
    return pairs


def _add_errors(form, exc: ValidationError) -> None:
    for name, texts in exc.message_dict.items():
        for text in texts:
            form.add_error(name if name in form.fields else None, text)


@never_cache
@sensitive_post_parameters("password")
@login_required
def group_change(request, pk, change):
    """A change to a built customer (#15): the form, then every platform operation it will perform,
    then (confirmed) the change queued on the build engine."""
    group = _group_get(request.user, pk)
    if change not in CHANGE_FORMS:
        raise Http404("No such change.")
    if not changes.may_make(request.user, group, change):
        raise PermissionDenied(
            "Only co-ordinators, administrators and the partner's own users change a customer; only EXPO.e staff "
            "decommission one."
        )
    posted = request.POST if request.method == "POST" else None
    if change == "add_numbers" and posted is not None and "numbers" in posted:
        posted = posted.copy()
        posted["numbers"] = ", ".join(request.POST.getlist("numbers"))  # the confirmation posts them one by one
    form = change_form(change, group, posted)
    plan = None
    if posted is not None and form.is_valid():
        values = dict(form.cleaned_data)
        try:
            if request.POST.get("confirm"):
                if change == "add_admin":
                    kept = request.session.pop(_password_key(group), "")
                    values["password"] = vault.decrypt(kept) if kept else ""
                started = changes.change_start(by=request.user, group=group, change=change, values=values)
                title = changes.CHANGE_TITLES[change]
                if started.generated_passwords:
                    return render(
                        request,
                        "customers/change_passwords.html",
                        {"group": group, "title": title, "passwords": started.generated_passwords},
                    )
                messages.success(request, f"{title}: queued. Its progress shows below.")
                return redirect(group)
            plan = by_platform(
                changes.change_preview(by=request.user, group=group, change=change, values=values), into="steps"
            )
            if change == "add_admin":
                if values.get("password"):
                    request.session[_password_key(group)] = vault.encrypt(values["password"])
                else:
                    request.session.pop(_password_key(group), None)
        except ValidationError as exc:
            _add_errors(form, exc)
            plan = None
        except TransitionConflict as exc:
            messages.error(request, str(exc))
            return redirect(group)
    return render(
        request,
        "customers/group_change.html",
        {
            "group": group,
            "change": change,
            "title": changes.CHANGE_TITLES[change],
            "form": form,
            "plan": plan,
            "hidden_values": _hidden_values(form) if plan else [],
            "pool": _pool_hint(request.user, group.partner) if change == "add_numbers" else None,
        },
    )
