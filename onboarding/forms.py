from django import forms
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from expoe_portal import bounds
from expoe_portal.forms import DATE_WIDGET, DATETIME_WIDGET, BootstrapFormMixin, ReasonForm, TransitionForm
from partners.models import Partner

from .choices import TrainingPlatform

# --- Onboarding orders -------------------------------------------------------------------------


class OrderCreateForm(BootstrapFormMixin, forms.Form):
    partner = forms.ModelChoiceField(queryset=Partner.objects.none(), help_text="Partners not yet live.")
    signed_order_received_at = forms.DateTimeField(
        label="Signed order received",
        widget=DATETIME_WIDGET,
        validators=[bounds.sane_date],
        help_text="UK time. The 48-hour clock (O1) starts here.",
    )
    note = forms.CharField(required=False, max_length=bounds.NOTE, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, partners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners if partners is not None else Partner.objects.filter(live=False)
        self.fields["partner"].label_from_instance = str


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
    kickoff_at = forms.DateTimeField(
        label="Kickoff call", widget=DATETIME_WIDGET, help_text="UK time.", validators=[bounds.sane_date]
    )
    trainer = UserChoiceField(queryset=_users_in_role(Role.TRAINER), label="Allocated trainer")
    field_order = ["kickoff_at", "trainer", "note"]


class RecordTrainingForm(TransitionForm):
    platform = forms.ChoiceField(choices=TrainingPlatform.choices)
    held_on = forms.DateField(
        label="Held on", widget=DATE_WIDGET, initial=timezone.localdate, validators=[bounds.sane_date]
    )
    field_order = ["platform", "held_on", "note"]

    def __init__(self, *args, order=None, **kwargs):
        super().__init__(*args, **kwargs)
        if order is not None:
            done = {t.platform for t in order.training_sessions.all()}
            self.fields["platform"].choices = [c for c in TrainingPlatform.choices if c[0] not in done]


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
