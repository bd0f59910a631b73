from copy import deepcopy

from django import forms
from django.core.validators import MaxLengthValidator

from . import bounds


class BootstrapFormMixin:
    """Give every widget Bootstrap's class, and mark invalid fields so the message sits beside them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            # One box, or a box per choice (CheckboxSelectMultiple is a RadioSelect, not a Select).
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def add_error(self, field, error):
        # Marked as errors arrive (validation or a service's), never in __init__: reading
        # self.errors there would validate the form before a subclass has set up its fields.
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


def bounded(field: forms.CharField, max_length: int) -> forms.CharField:
    """A copy of a field that Django's own forms declare without a maximum (passwords), with one
    (expoe_portal.bounds): a form subclass declares it in the original's place."""
    copy = deepcopy(field)
    copy.max_length = max_length
    copy.validators = [*copy.validators, MaxLengthValidator(max_length)]
    copy.widget.attrs.update(copy.widget_attrs(copy.widget))
    return copy


def apply_service_errors(form, exc) -> None:
    """Put a service's ValidationError beside the fields it names, the rest at the top of the form."""
    for field, messages in exc.message_dict.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)


# --- What every state machine's forms share (onboarding orders, port requests) ----------------

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TransitionForm(BootstrapFormMixin, forms.Form):
    """Every transition's form carries the status the user saw, so a stale page is told so."""

    expected_status = forms.CharField(widget=forms.HiddenInput, required=False, max_length=bounds.LINE)
    note = forms.CharField(
        required=False,
        max_length=bounds.NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the history.",
    )
    note_for_partner = forms.BooleanField(
        required=False, label="Show this note to the partner", help_text="Otherwise only EXPO.e staff read it."
    )


class ReasonForm(TransitionForm):
    """A transition that needs its reason (holding or cancelling an order, cancelling a port)."""

    reason = forms.CharField(max_length=bounds.NOTE, widget=forms.Textarea(attrs={"rows": 2}))
    field_order = ["reason", "note"]
