"""What every app's pages share: a list page (FilterSet, table, pagination) and a state-machine
transition run from a form on the object's page. Views stay thin: they say what, these say how."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django_tables2 import RequestConfig

from .forms import apply_service_errors
from .transitions import TransitionConflict, TransitionRefused


def posted_to(find: Callable[..., Any]) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A view that acts on one object when a form is posted: `find(user=, pk=)` looks the object up
    in the user's scope first, so another partner's object is a 404 whatever the method, then
    anything but POST is a 405. The view is called with the object in place of its `pk`."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def run(request: HttpRequest, pk: int, **kwargs: Any) -> HttpResponse:
            instance = find(user=request.user, pk=pk)
            if request.method != "POST":
                return HttpResponseNotAllowed(["POST"])
            return view(request, instance, **kwargs)

        return run

    return decorate


def list_page(
    request: HttpRequest,
    template: str,
    *,
    filterset: Any,
    table_class: type,
    per_page: int = 25,
    **context: Any,
) -> HttpResponse:
    """A list page: the FilterSet's form, its rows as a sortable, paginated table."""
    table = table_class(filterset.qs)
    RequestConfig(request, paginate={"per_page": per_page}).configure(table)
    return render(request, template, {"filter": filterset, "table": table, **context})


def transition_page(
    request: HttpRequest,
    *,
    instance: Any,
    name: str,
    forms: dict,
    form_for: Callable[..., Any],
    run: Callable[..., Any],
    redisplay: Callable[[Any], HttpResponse],
    label: str,
    on_invalid: Callable[[ValidationError], None] | None = None,
) -> HttpResponse:
    """GET points at the transition's form on the object's page; POST runs it through its service.
    Bad input comes back beside its fields (400); a refusal or a lost race is a message; success is
    "Done: <label>." on the object's page."""
    if name not in forms:
        raise Http404("No such transition.")
    if request.method != "POST":
        return redirect(f"{instance.get_absolute_url()}#transition-{name}")
    form = form_for(name, instance, request.POST)
    if not form.is_valid():
        return redisplay(form)
    data = dict(form.cleaned_data)
    expected = data.pop("expected_status", None)
    try:
        run(by=request.user, instance=instance, name=name, data=data, expected_status=expected)
    except (TransitionConflict, TransitionRefused) as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        apply_service_errors(form, exc)
        if on_invalid is not None:
            on_invalid(exc)
        return redisplay(form)
    else:
        messages.success(request, f"Done: {label}.")
    return redirect(instance.get_absolute_url())


def saved_by_service(
    request: HttpRequest,
    form: Any,
    save: Callable[[], Any],
    *,
    success: str | Callable[[Any], str],
    then: Any,
    valid: bool | None = None,
) -> HttpResponse | None:
    """A form page's POST: when the form (and `valid`, for pages with several) is valid, `save()`
    runs its service; a ValidationError goes beside the form's fields and None is returned, for
    the page to show the form again; success is a message and a redirect to `then` (a URL, a URL
    name, an object, or a callable of what `save` returned)."""
    if request.method != "POST" or not form.is_valid() or valid is False:
        return None
    try:
        result = save()
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return None
    messages.success(request, success(result) if callable(success) else success)
    return redirect(then(result) if callable(then) else then)
