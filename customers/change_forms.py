"""The forms of the changes to a built customer (#15), one per kind. As on the build request page,
they check types and offer the customer's own values; every rule is the service's
(customers.change_kinds), whose errors come back under these forms' field names. The API validates
a change's body with the same forms, so the page and the API answer alike."""

from django import forms

from expoe_portal import bounds
from expoe_portal.forms import BootstrapFormMixin

from .forms import NumbersForm
from .models import CustomerGroup

YES_NO = {"required": False}


class RemoveNumbersForm(BootstrapFormMixin, forms.Form):
    """N2: which of a built group's numbers to take off. The business profile number (B1) and the
    voice portal's (V1) are not offered: the group's settings name them."""

    numbers = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Numbers to take off the group"
    )

    def __init__(self, *args, group: CustomerGroup, **kwargs):
        super().__init__(*args, **kwargs)
        kept = {group.business_profile_number, group.voice_portal_number}
        own = group.numbers.order_by("e164").values_list("e164", flat=True)
        self.fields["numbers"].choices = [(n, n) for n in own if n not in kept]


def _own_numbers(group: CustomerGroup) -> list[tuple[str, str]]:
    return [(n, n) for n in group.numbers.order_by("e164").values_list("e164", flat=True)]


class BusinessProfileForm(BootstrapFormMixin, forms.Form):
    """B1: one of the group's own numbers."""

    number = forms.ChoiceField(label="Business profile number", help_text="One of the group's numbers (B1).")
    present_as_caller_id = forms.BooleanField(
        label="Present it as the users' caller ID",
        help_text="Users call out showing the group's number instead of their own (B1).",
        **YES_NO,
    )

    def __init__(self, *args, group: CustomerGroup, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["number"].choices = _own_numbers(group)
        self.initial.setdefault("number", group.business_profile_number)
        self.initial.setdefault("present_as_caller_id", group.present_group_number_as_clid)


class VoicePortalForm(BootstrapFormMixin, forms.Form):
    """V1: a number or an extension; V2: a number to dial in from outside."""

    number = forms.ChoiceField(label="Voice portal number", required=False)
    extension = forms.CharField(label="Voice portal extension", required=False, max_length=6)
    external_dial_in = forms.BooleanField(
        label="Voicemail is dialled into from outside (a mobile)", help_text="Needs a number (V2).", **YES_NO
    )

    def __init__(self, *args, group: CustomerGroup, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["number"].choices = [("", "No number")] + _own_numbers(group)
        self.initial.setdefault("number", group.voice_portal_number)
        self.initial.setdefault("extension", group.voice_portal_extension)
        self.initial.setdefault("external_dial_in", group.voice_portal_external_dial_in)


class AddAdminForm(BootstrapFormMixin, forms.Form):
    """A1, A2."""

    first_name = forms.CharField(max_length=64, required=False)
    last_name = forms.CharField(max_length=64, required=False)
    user_id = forms.CharField(
        label="User ID",
        max_length=161,
        required=False,
        help_text="Leave blank for firstname.surname@the group's domain (A1).",
    )
    password = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        required=False,
        max_length=bounds.PASSWORD,
        help_text="Leave blank to have one generated: it is shown once, when the change is confirmed (A2).",
    )


class RemoveAdminsForm(BootstrapFormMixin, forms.Form):
    user_ids = forms.MultipleChoiceField(
        label="Administrators to remove", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, group: CustomerGroup, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user_ids"].choices = [
            (a.user_id, f"{a.user_id} ({a.first_name} {a.last_name})") for a in group.admins.order_by("user_id")
        ]


class AddAkixiUserForm(BootstrapFormMixin, forms.Form):
    """K4: on the customer's own partition only, reporting only."""

    username = forms.CharField(max_length=120, required=False)
    full_name = forms.CharField(max_length=200, required=False)
    email = forms.CharField(max_length=254, required=False, help_text="Akixi sends the welcome email here (K4).")


class RemoveAkixiUsersForm(BootstrapFormMixin, forms.Form):
    usernames = forms.MultipleChoiceField(
        label="Reporting users to remove", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, group: CustomerGroup, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["usernames"].choices = [
            (u.username, f"{u.username} ({u.full_name})") for u in group.akixi_users.order_by("username")
        ]


class NothingToAskForm(BootstrapFormMixin, forms.Form):
    """A change with nothing to fill in ("synchronise now"): the preview is its confirmation."""


class CallCabinetAdminForm(BootstrapFormMixin, forms.Form):
    """C5: the customer administrator gets Call Cabinet's welcome email."""

    admin_name = forms.CharField(label="Administrator's name", max_length=200, required=False)
    admin_email = forms.CharField(label="Administrator's email", max_length=254, required=False)

    def __init__(self, *args, group: CustomerGroup, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("admin_name", group.callcabinet_admin_name)
        self.initial.setdefault("admin_email", group.callcabinet_admin_email)


class DecommissionForm(BootstrapFormMixin, forms.Form):
    confirm_group_id = forms.CharField(
        label="Type the group ID to confirm",
        required=False,
        max_length=bounds.LINE,
        help_text="The customer is removed from Call Cabinet, Akixi and BroadWorks; its numbers go back to the "
        "partner's pool. This cannot be undone.",
    )


_WITH_GROUP = {
    "remove_numbers": RemoveNumbersForm,
    "business_profile": BusinessProfileForm,
    "voice_portal": VoicePortalForm,
    "remove_admins": RemoveAdminsForm,
    "remove_akixi_users": RemoveAkixiUsersForm,
    "callcabinet_admin": CallCabinetAdminForm,
}
_WITHOUT_GROUP: dict[str, type[forms.Form]] = {
    "add_admin": AddAdminForm,
    "add_akixi_user": AddAkixiUserForm,
    "akixi_sync": NothingToAskForm,
    "decommission": DecommissionForm,
}
CHANGE_FORMS = set(_WITH_GROUP) | set(_WITHOUT_GROUP) | {"add_numbers"}


def change_form(change: str, group: CustomerGroup, data=None) -> forms.Form:
    """The form of a change to a built customer (#15), by the change's name (change_kinds.KINDS)."""
    if change == "add_numbers":
        form = NumbersForm(data)
        form.fields["numbers"].label = "Numbers to add"
        return form
    if change in _WITH_GROUP:
        return _WITH_GROUP[change](data, group=group)
    return _WITHOUT_GROUP[change](data)
