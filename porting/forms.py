from django import forms

from customers.models import CustomerGroup
from expoe_portal import bounds
from expoe_portal.forms import DATE_WIDGET, DATETIME_WIDGET, BootstrapFormMixin, ReasonForm, TransitionForm
from partners.models import Partner

from .choices import (
    PORT_RISKS,
    REQUIRABLE_FIELDS,
    REQUIRED_DOCUMENT_NAMES,
    DocumentKind,
    GbRegion,
    NumberType,
    RejectionCode,
)
from .loa import LOA_CONSENT
from .models import LeadTimeRule, PortingCountry
from .providers import PROVIDER_FIELDS, provider_list

OTHER = "__other__"  # the losing provider or range holder is not on the list: its name is typed


def _countries():
    return [(c.code, f"{c.name} ({c.code})") for c in PortingCountry.objects.all()]


class PortRequestForm(BootstrapFormMixin, forms.Form):
    """The draft: everything P3 asks for. Completeness is checked at submission, not here, so a
    partner can save a draft and come back to it."""

    partner = forms.ModelChoiceField(queryset=Partner.objects.none())
    country = forms.ChoiceField(choices=_countries, initial="GB", help_text="Where the numbers are (P2, P6).")
    region = forms.ChoiceField(
        label="Nation",
        choices=[("", "—"), *GbRegion.choices],
        required=False,
        help_text="For GB: whose bank holidays count towards the port date (P4).",
    )
    number_type = forms.ChoiceField(choices=[("", "—"), *NumberType.choices], required=False)
    main_billing_number = forms.CharField(required=False, max_length=32, help_text="As usually written.")
    numbers = forms.CharField(
        label="Associated numbers and ranges",
        required=False,
        max_length=bounds.numbers_text_length(),
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "0113 496 0000\n0113 496 0100 - 0113 496 0199"}),
        help_text="One number or range (first - last) per line, or separated by commas; up to 10,000 numbers.",
    )
    numbers_file = forms.FileField(
        label="Or a CSV of numbers",
        required=False,
        help_text="One number or range per row (a header row is fine); replaces the list above.",
    )
    registered_address = forms.CharField(
        required=False,
        max_length=bounds.ADDRESS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Where the lines are, with the postcode.",
    )
    # A select of the list; any name posted is taken (a provider renamed while the page was open is
    # matched again by the service, or kept as typed).
    losing_provider = forms.CharField(
        required=False, max_length=120, widget=forms.Select, label="Losing service provider"
    )
    losing_provider_other = forms.CharField(
        required=False, max_length=120, label="Other losing provider", help_text="Only when it is not in the list."
    )
    range_holder = forms.CharField(required=False, max_length=120, widget=forms.Select)
    range_holder_other = forms.CharField(
        required=False, max_length=120, label="Other range holder", help_text="Only when it is not in the list."
    )
    customer_group = forms.ModelChoiceField(
        queryset=CustomerGroup.objects.none(),
        required=False,
        to_field_name="group_id",
        help_text="Optional: the numbers are assigned to this group on completion.",
    )
    requested_port_date = forms.DateField(
        label="Requested port date",
        widget=DATE_WIDGET,
        required=False,
        validators=[bounds.sane_date],
        help_text="Optional: a working day, no earlier than the lead time allows from today.",
    )
    risks_acknowledged = forms.BooleanField(
        required=False,
        label="The customer has been told, and accepts, the risks listed above (P7)",
    )

    risks = PORT_RISKS

    def __init__(self, *args, user, partner=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user.is_partner_user or partner is not None:
            # Their own partner (or the request's partner, fixed once it exists).
            del self.fields["partner"]
            groups = CustomerGroup.objects.filter(partner=partner or user.partner)
        else:
            self.fields["partner"].queryset = Partner.objects.order_by("partner_id")
            self.fields["partner"].label_from_instance = str
            groups = CustomerGroup.objects.all()
        self.fields["customer_group"].queryset = groups.order_by("group_id")
        self.fields["customer_group"].label_from_instance = lambda g: f"{g.group_id} — {g.name}"
        # The managers' list of providers (issue #16), and "other" with its name typed below.
        names = [provider.name for provider in provider_list(active_only=True)]
        for field in PROVIDER_FIELDS:
            current = self.initial.get(field) or ""
            shown = names if current in ("", OTHER) or current in names else [*names, current]
            self.fields[field].widget.choices = [("", "—"), *((n, n) for n in shown), (OTHER, "Other (type its name)")]

    def clean(self):
        cleaned = super().clean()
        for field in PROVIDER_FIELDS:
            chosen, typed = cleaned.get(field) or "", (cleaned.get(f"{field}_other") or "").strip()
            if chosen == OTHER and not typed:
                self.add_error(f"{field}_other", "Type the provider's name, or choose one from the list.")
            elif chosen and chosen != OTHER and typed:
                self.add_error(f"{field}_other", "Leave this empty when the provider is chosen from the list.")
        return cleaned

    def clean_numbers_file(self):
        upload = self.cleaned_data.get("numbers_file")
        if not upload:
            return None
        if upload.size > bounds.numbers_text_length():
            raise forms.ValidationError(bounds.too_many_numbers(None).messages)
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError("Save the CSV as UTF-8 text.") from None

    def service_data(self) -> dict:
        skipped = ("partner", "numbers_file")
        data = {k: v for k, v in self.cleaned_data.items() if k not in skipped and not k.endswith("_other")}
        if self.cleaned_data.get("numbers_file"):
            data["numbers"] = self.cleaned_data["numbers_file"]
        for field in PROVIDER_FIELDS:
            if data.get(field) == OTHER or (not data.get(field) and self.cleaned_data.get(f"{field}_other")):
                data[field] = self.cleaned_data.get(f"{field}_other", "")
        return data


def initial_for(port_request) -> dict:
    from expoe_portal.phone import format_national

    return {
        "country": port_request.country,
        "region": port_request.region,
        "number_type": port_request.number_type,
        "main_billing_number": format_national(port_request.main_billing_number)
        if port_request.main_billing_number
        else "",
        "numbers": "\n".join(format_national(n) for n in port_request.numbers),
        "registered_address": port_request.registered_address,
        **_provider_initial(port_request, "losing_provider"),
        **_provider_initial(port_request, "range_holder"),
        "customer_group": port_request.customer_group.group_id if port_request.customer_group else None,
        "risks_acknowledged": port_request.risks_acknowledged,
        "requested_port_date": port_request.requested_port_date,
    }


def _provider_initial(port_request, field: str) -> dict:
    text = getattr(port_request, field)
    if getattr(port_request, f"{field}_listed_id") or not text:
        return {field: text}
    return {field: OTHER, f"{field}_other": text}


class AcceptForm(TransitionForm):
    accepted_on = forms.DateField(
        label="Accepted on",
        widget=DATE_WIDGET,
        required=False,
        validators=[bounds.sane_date],
        help_text="Blank: today. The port date follows (P4).",
    )
    confirmed_port_date = forms.DateField(
        label="Carrier's confirmed port date",
        widget=DATE_WIDGET,
        required=False,
        validators=[bounds.sane_date],
        help_text="Blank: the lead-time rule's date. A working day, not before the acceptance.",
    )
    # A partial acceptance (issue #18): the refused numbers move to a new draft child request.
    refused_numbers = forms.CharField(
        label="Numbers the carrier refused",
        required=False,
        max_length=bounds.numbers_text_length(),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Blank: all accepted. One number or range per line; they move to a new request.",
    )
    refusal_reason = forms.CharField(
        label="Why they were refused",
        required=False,
        max_length=bounds.NOTE,
        help_text="Required with refused numbers.",
    )
    field_order = ["accepted_on", "confirmed_port_date", "refused_numbers", "refusal_reason", "note"]


class RejectForm(TransitionForm):
    code = forms.ChoiceField(label="Reason", choices=RejectionCode.choices)
    reason = forms.CharField(
        label="Details",
        required=False,
        max_length=bounds.NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What exactly was wrong.",
    )
    field_order = ["code", "reason", "note"]


class LosingProviderCancelForm(TransitionForm):
    reason = forms.CharField(max_length=bounds.NOTE, widget=forms.Textarea(attrs={"rows": 2}))
    at = forms.DateTimeField(
        label="Cancelled at",
        widget=DATETIME_WIDGET,
        required=False,
        help_text="UK time. Blank: now.",
        validators=[bounds.sane_date],
    )
    field_order = ["reason", "at", "note"]


class CompleteForm(TransitionForm):
    completed_on = forms.DateField(
        label="Completed on",
        widget=DATE_WIDGET,
        required=False,
        help_text="Blank: today.",
        validators=[bounds.sane_date],
    )
    field_order = ["completed_on", "note"]


TRANSITION_FORMS = {
    "submit": TransitionForm,
    "resubmit": TransitionForm,
    "accept": AcceptForm,
    "reject": RejectForm,
    "cancel_by_losing_provider": LosingProviderCancelForm,
    "complete": CompleteForm,
    "cancel": ReasonForm,
}


def transition_form(name, port_request, data=None, *, user=None):
    form = TRANSITION_FORMS[name](data, prefix=name, initial={"expected_status": port_request.status})
    if user is not None and user.is_partner_user:
        del form.fields["note_for_partner"]  # a partner user's notes are always theirs to read
    return form


class PortDateChangeForm(BootstrapFormMixin, forms.Form):
    """The carrier moves the confirmed date of an accepted port (P4, P7)."""

    port_date = forms.DateField(label="New port date", widget=DATE_WIDGET, validators=[bounds.sane_date])
    reason = forms.CharField(
        max_length=bounds.NOTE, widget=forms.Textarea(attrs={"rows": 2}), help_text="Why the carrier moved it."
    )


class DocumentForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label="Document", choices=DocumentKind.choices)
    file = forms.FileField(help_text="PDF, PNG or JPEG, up to 10 MB.")


class LoaSignForm(BootstrapFormMixin, forms.Form):
    """The end customer signs the letter of authority online (P3, P6)."""

    name = forms.CharField(
        label="Full name of the signer", max_length=bounds.LINE, help_text="The end customer's authorised person."
    )
    position = forms.CharField(label="Their position", max_length=bounds.LINE, help_text="E.g. Office Manager.")
    consent = forms.BooleanField(label=LOA_CONSENT)


class CommentForm(BootstrapFormMixin, forms.Form):
    body = forms.CharField(label="Comment", max_length=bounds.NOTE, widget=forms.Textarea(attrs={"rows": 3}))
    for_partner = forms.BooleanField(
        required=False,
        label="Show this comment to the partner",
        help_text="Otherwise it is internal: only EXPO.e staff read it.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.is_partner_user:
            del self.fields["for_partner"]  # a partner user's comments are always theirs to read


class LeadTimeRuleForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = LeadTimeRule
        fields = ["working_days", "house_rule", "source"]
        widgets = {"source": forms.Textarea(attrs={"rows": 2})}


class CountryRequirementsForm(BootstrapFormMixin, forms.Form):
    """P3, P6: what a request for this country must say before it can be submitted."""

    required_fields = forms.MultipleChoiceField(
        label="Required before submission",
        choices=list(REQUIRABLE_FIELDS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    required_documents = forms.MultipleChoiceField(
        label="Documents required before submission",
        choices=[(kind, name.capitalize()) for kind, name in REQUIRED_DOCUMENT_NAMES.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="A letter of authority counts only while it covers the request as it is now.",
    )


class ProviderForm(BootstrapFormMixin, forms.Form):
    """Add a provider to the list, or rename one and take it off (or back on) the form's list."""

    name = forms.CharField(max_length=120)
    active = forms.BooleanField(
        required=False, initial=True, label="Offered in the port request form", help_text="Requests keep it either way."
    )
