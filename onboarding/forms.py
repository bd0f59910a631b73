from django import forms
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from expoe_portal.forms import BootstrapFormMixin
from expoe_portal.phone import normalise_e164

from .choices import TrainingPlatform
from .models import Partner, PartnerContact
from .number_parsing import parse_number_list
from .services import CONTACT_REQUIRED


class PartnerForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Partner
        fields = ["partner_id", "name", "clone_group_id", "live"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The BroadWorks service provider ID is fixed once the partner exists.
            self.fields["partner_id"].disabled = True


class PartnerContactForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = PartnerContact
        fields = ["name", "role", "email", "phone"]
        help_texts = {"phone": "UK numbers as usually written (020 7946 0000) or international (+49 ...)."}

    def clean_phone(self):
        return normalise_e164(self.cleaned_data["phone"])


class BaseContactFormSet(forms.BaseFormSet):
    default_error_messages = {"too_few_forms": CONTACT_REQUIRED}


PartnerContactFormSet = forms.formset_factory(
    PartnerContactForm, formset=BaseContactFormSet, extra=0, min_num=1, validate_min=True, can_delete=True
)


def contacts_from_formset(formset) -> list[dict]:
    return [
        {key: form.cleaned_data[key] for key in ("name", "role", "email", "phone")}
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


def contact_initial(partner: Partner) -> list[dict]:
    return [
        {"name": c.name, "role": c.role, "email": c.email, "phone": c.phone_display} for c in partner.contacts.all()
    ]


# --- Onboarding orders -------------------------------------------------------------------------

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OrderCreateForm(BootstrapFormMixin, forms.Form):
    partner = forms.ModelChoiceField(queryset=Partner.objects.none(), help_text="Partners not yet live.")
    signed_order_received_at = forms.DateTimeField(
        label="Signed order received",
        widget=DATETIME_WIDGET,
        help_text="UK time. The 48-hour clock (O1) starts here.",
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, partners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners if partners is not None else Partner.objects.filter(live=False)
        self.fields["partner"].label_from_instance = str


class TransitionForm(BootstrapFormMixin, forms.Form):
    """Every transition's form carries the status the user saw, so a stale page is told so."""

    expected_status = forms.CharField(widget=forms.HiddenInput, required=False)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="Kept in the history.")


def _users_in_role(role):
    return User.objects.filter(role=role, is_active=True).order_by("first_name", "last_name", "username")


class UserChoiceField(forms.ModelChoiceField):
    """Users are chosen by username (the API's natural key), shown by name."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, to_field_name="username", **kwargs)

    def label_from_instance(self, user):
        return user.display_name


class AssignCoordinatorForm(TransitionForm):
    coordinator = UserChoiceField(queryset=_users_in_role(Role.COORDINATOR), label="Co-ordinator")
    field_order = ["coordinator", "note"]


class ArrangeKickoffForm(TransitionForm):
    kickoff_at = forms.DateTimeField(label="Kickoff call", widget=DATETIME_WIDGET, help_text="UK time.")
    trainer = UserChoiceField(queryset=_users_in_role(Role.TRAINER), label="Allocated trainer")
    field_order = ["kickoff_at", "trainer", "note"]


class RecordTrainingForm(TransitionForm):
    platform = forms.ChoiceField(choices=TrainingPlatform.choices)
    held_on = forms.DateField(label="Held on", widget=DATE_WIDGET, initial=timezone.localdate)
    field_order = ["platform", "held_on", "note"]

    def __init__(self, *args, order=None, **kwargs):
        super().__init__(*args, **kwargs)
        if order is not None:
            done = {t.platform for t in order.training_sessions.all()}
            self.fields["platform"].choices = [c for c in TrainingPlatform.choices if c[0] not in done]


class ReasonForm(TransitionForm):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    field_order = ["reason", "note"]


TRANSITION_FORMS = {
    "confirm": TransitionForm,
    "assign_coordinator": AssignCoordinatorForm,
    "complete_accounts": TransitionForm,
    "arrange_kickoff": ArrangeKickoffForm,
    "record_training": RecordTrainingForm,
    "go_live": TransitionForm,
    "hold": ReasonForm,
    "resume": TransitionForm,
    "cancel": ReasonForm,
}


def transition_form(name, order, data=None, *, prefixed=True):
    """The form of one transition; pages prefix it (several on one page), the API does not."""
    form_class = TRANSITION_FORMS[name]
    kwargs = {"order": order} if form_class is RecordTrainingForm else {}
    prefix = name if prefixed else None
    return form_class(data, prefix=prefix, initial={"expected_status": order.status}, **kwargs)


class AccountRecordForm(BootstrapFormMixin, forms.Form):
    reference = forms.CharField(max_length=120, help_text="The account's ID on the platform.")


# --- Numbers --------------------------------------------------------------------------------


class NumbersAddForm(BootstrapFormMixin, forms.Form):
    partner = forms.ModelChoiceField(queryset=Partner.objects.all())
    numbers = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "020 7946 0000\n020 7946 0100 - 020 7946 0199"}),
        help_text="One number or range per line (first - last), or paste a CSV column. UK formats are fine.",
    )

    def clean_numbers(self):
        return parse_number_list(self.cleaned_data["numbers"])
