"""The customer build request page: one form per section, assembled into the service's request dict
(see customers.build_request), and the service's dotted error keys put back beside their fields.

The forms check types only; every rule (G3-G6, N1-N2, B1, V1-V2, A1-A2, K2, K4, C2-C5) is checked by
the service, so the page, the API and the tests share one set of messages. Also here: the customer
list's FilterSet (onboarding/filters.py is shared with other work).
"""

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from expoe_portal import bounds
from expoe_portal.forms import BootstrapFormMixin
from number_pool.parsing import numbers_as_text, parse_entry, parse_number_list
from partners.models import Partner

from .build_request import validate_build_request
from .choices import GroupDomain
from .models import CustomerGroup

# The separators parse_number_list accepts between entries.
_ENTRY_SEPARATOR = re.compile(r"[\n,;\t]+")


class PartnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, partner):
        return f"{partner.partner_id} — {partner.name}" + ("" if partner.live else " (not live)")


class GroupForm(BootstrapFormMixin, forms.Form):
    """G3-G5. `partner` only for staff, who build for any partner; a partner user builds for their own."""

    partner = PartnerChoiceField(queryset=Partner.objects.none(), empty_label="Choose the partner")
    name = forms.CharField(
        label="Customer name",
        required=False,
        max_length=200,
        help_text="The end customer's name; the group name is set to it (G4).",
    )
    group_id = forms.CharField(
        label="Group ID",
        required=False,
        max_length=bounds.LINE,  # the service names the rule (G3) for an ID of 31 or more
        help_text="Unique on the platform (G3). Leave blank to have one suggested from the customer name.",
    )
    domain = forms.ChoiceField(
        choices=GroupDomain.choices,
        initial=GroupDomain.HOSTEDCOMM,
        help_text="Every user ID of the customer ends in this domain (G5).",
    )
    extension_length = forms.TypedChoiceField(
        label="Extension length",
        coerce=int,
        choices=[
            (n, f"{n} digits")
            for n in range(settings.GROUP_EXTENSION_LENGTH_MIN, settings.GROUP_EXTENSION_LENGTH_MAX + 1)
        ],
        initial=settings.GROUP_EXTENSION_LENGTH_DEFAULT,
    )

    def __init__(self, *args, partners=None, **kwargs):
        super().__init__(*args, **kwargs)
        if partners is None:
            del self.fields["partner"]
        else:
            self.fields["partner"].queryset = partners.order_by("partner_id")


class NumbersForm(BootstrapFormMixin, forms.Form):
    """N1, N2, B1. A textarea rather than a list of checkboxes: a pool can hold thousands of numbers,
    and groups take them in ranges, as they were added to the pool."""

    numbers = forms.CharField(
        required=False,
        max_length=bounds.numbers_text_length(),
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "020 7946 0000 - 020 7946 0009\n020 7946 0100"}),
        help_text="One number or range per line (first - last), from the partner's available numbers (N1, N2).",
    )
    readable_numbers: list[str] | None = None

    def clean_numbers(self):
        text = self.cleaned_data["numbers"]
        if not text.strip():
            return []  # the service says what is missing, with its rule
        try:
            return parse_number_list(text)
        except ValidationError:
            self.readable_numbers = _readable_numbers(text)
            raise


def _readable_numbers(text: str) -> list[str]:
    """The entries of a list that can be read, so that the other sections are still checked against them."""
    numbers = []
    for entry in _ENTRY_SEPARATOR.split(text):
        if not entry.strip():
            continue
        try:
            numbers.extend(parse_entry(entry))
        except ValidationError:
            continue
    return list(dict.fromkeys(numbers))


class BusinessProfileForm(BootstrapFormMixin, forms.Form):
    """B1."""

    business_profile_number = forms.CharField(
        label="Business profile number",
        required=False,
        max_length=bounds.NUMBER_ENTRY,
        help_text="The group's CLID: it routes extension dialling inside the organisation and may be its "
        "outbound CLID. One of the group's numbers (B1).",
    )
    present_group_number_as_clid = forms.BooleanField(
        label="Users present this number as their caller ID",
        required=False,
        help_text="Leave unticked for users to present their own numbers (B1).",
    )


class VoicePortalForm(BootstrapFormMixin, forms.Form):
    """V1, V2."""

    number = forms.CharField(
        label="Voice portal number",
        required=False,
        max_length=bounds.NUMBER_ENTRY,
        help_text="One of the group's numbers. A number or an extension (V1).",
    )
    extension = forms.CharField(label="Voice portal extension", required=False, max_length=6)
    external_dial_in = forms.BooleanField(
        label="The customer dials in to voicemail from outside (e.g. from a mobile)",
        required=False,
        help_text="Needs a voice portal number, not only an extension (V2).",
    )


class AdminForm(BootstrapFormMixin, forms.Form):
    """A1, A2."""

    first_name = forms.CharField(label="First name", required=False, max_length=64)
    last_name = forms.CharField(label="Last name", required=False, max_length=64)
    user_id = forms.CharField(
        label="User ID",
        required=False,
        max_length=161,
        help_text="Optional: defaults to firstname.surname@<the group's domain> (A1). Case sensitive.",
    )
    password = forms.CharField(
        required=False,
        strip=False,
        max_length=bounds.PASSWORD,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=False),
        help_text="Leave blank to generate one; it is shown once, on the next page (A2).",
    )


class AkixiForm(BootstrapFormMixin, forms.Form):
    """K2."""

    licence = forms.ChoiceField(
        label="Akixi licence",
        required=False,
        help_text="Affects billing (K2). Not licensed: no partition and no reporting users.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["licence"].choices = [("", "Not licensed"), *((name, name) for name in settings.AKIXI_LICENCES)]


class AkixiUserForm(BootstrapFormMixin, forms.Form):
    """K4."""

    username = forms.CharField(required=False, max_length=120, help_text="Unique on Akixi (K4).")
    full_name = forms.CharField(label="Full name", required=False, max_length=200)
    email = forms.CharField(
        required=False, max_length=bounds.EMAIL, widget=forms.EmailInput, help_text="The welcome email goes here (K4)."
    )


class CallCabinetForm(BootstrapFormMixin, forms.Form):
    """C5. Both blank: the customer has no call recording."""

    admin_name = forms.CharField(label="Customer administrator's name", required=False, max_length=200)
    admin_email = forms.CharField(
        label="Customer administrator's email",
        required=False,
        max_length=bounds.EMAIL,
        widget=forms.EmailInput,
        help_text="They receive Call Cabinet's welcome email (C5).",
    )


class RowFormSet(forms.BaseFormSet):
    """Rows of people; each one's delete box reads "Remove this row"."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this row"
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"


# One row shown to start with; rows left blank are ignored and the service says when too few
# remain (G6, K4), so the formsets themselves do not count.
AdminFormSet = forms.formset_factory(AdminForm, formset=RowFormSet, extra=0, min_num=1, can_delete=True)
AkixiUserFormSet = forms.formset_factory(AkixiUserForm, formset=RowFormSet, extra=0, min_num=1, can_delete=True)

_ADMIN_FIELDS = ("first_name", "last_name", "user_id", "password")
_AKIXI_USER_FIELDS = ("username", "full_name", "email")


def _rows(formset, fields) -> list:
    """The formset's forms that hold something and are not marked for removal, in order."""
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        if data.get("DELETE") or not any(data.get(f) for f in fields):
            continue
        rows.append(form)
    return rows


class BuildRequestForms:
    """Every section of the build request page, as one unit: validated together, turned into the
    service's dict, and given back the service's errors field by field."""

    def __init__(self, data=None, *, partners=None, request: dict | None = None):
        request = request or {}
        vp, akixi, cc = request.get("voice_portal", {}), request.get("akixi", {}), request.get("callcabinet", {})
        group_initial = {k: request[k] for k in ("group_id", "name", "domain", "extension_length") if k in request}
        self.group = GroupForm(data, partners=partners, initial=group_initial)
        self.numbers = NumbersForm(data, initial={"numbers": numbers_as_text(request.get("numbers", []))})
        self.business_profile = BusinessProfileForm(
            data,
            initial={
                "business_profile_number": request.get("business_profile_number", ""),
                "present_group_number_as_clid": request.get("present_group_number_as_clid", False),
            },
        )
        self.voice_portal = VoicePortalForm(data, prefix="voice_portal", initial=vp)
        # Passwords are never put back in the page (A2): blank keeps the one already set.
        admins = [{k: v for k, v in admin.items() if k != "password"} for admin in request.get("admins", [])]
        self.admins = AdminFormSet(data, prefix="admins", initial=admins)
        self.akixi = AkixiForm(data, prefix="akixi", initial={"licence": akixi.get("licence", "")})
        self.akixi_users = AkixiUserFormSet(data, prefix="akixi_users", initial=akixi.get("users", []))
        self.callcabinet = CallCabinetForm(data, prefix="callcabinet", initial=cc)
        self.top_errors: list[str] = []
        self.suggested_group_id = ""
        self._admin_rows: list = []
        self._akixi_user_rows: list = []

    @property
    def forms(self):
        return [self.group, self.numbers, self.business_profile, self.voice_portal, self.akixi, self.callcabinet]

    @property
    def formsets(self):
        return [self.admins, self.akixi_users]

    def is_valid(self) -> bool:
        valid = [form.is_valid() for form in [*self.forms, *self.formsets]]  # every one, for its errors
        self._admin_rows = _rows(self.admins, _ADMIN_FIELDS)
        self._akixi_user_rows = _rows(self.akixi_users, _AKIXI_USER_FIELDS)
        return all(valid)

    @property
    def partner(self) -> Partner | None:
        return getattr(self.group, "cleaned_data", {}).get("partner")

    def as_request(self) -> dict:
        """The service's request dict (customers.build_request), from what the sections hold."""
        group, numbers = self.group.cleaned_data, self.numbers.cleaned_data
        vp, akixi, cc = self.voice_portal.cleaned_data, self.akixi.cleaned_data, self.callcabinet.cleaned_data
        number_list = numbers.get("numbers")
        if number_list is None:
            number_list = self.numbers.readable_numbers or []
        return {
            "group_id": group.get("group_id", ""),
            "name": group.get("name", ""),
            "domain": group.get("domain", ""),
            "extension_length": group.get("extension_length"),
            "numbers": number_list,
            "business_profile_number": self.business_profile.cleaned_data.get("business_profile_number", ""),
            "present_group_number_as_clid": bool(
                self.business_profile.cleaned_data.get("present_group_number_as_clid")
            ),
            "voice_portal": {
                "number": vp.get("number", ""),
                "extension": vp.get("extension", ""),
                "external_dial_in": bool(vp.get("external_dial_in")),
            },
            "admins": [{f: row.cleaned_data.get(f, "") for f in _ADMIN_FIELDS} for row in self._admin_rows],
            "akixi": {
                "licence": akixi.get("licence", ""),
                "users": [
                    {f: row.cleaned_data.get(f, "") for f in _AKIXI_USER_FIELDS} for row in self._akixi_user_rows
                ],
            },
            "callcabinet": {"admin_name": cc.get("admin_name", ""), "admin_email": cc.get("admin_email", "")},
        }

    def collect_rule_errors(self, *, partner: Partner, group: CustomerGroup | None = None) -> None:
        """When a section cannot even be read, still check the rest against the rules, so that every
        mistake shows in one pass. Only checks: nothing is saved."""
        try:
            validate_build_request(partner=partner, data=self.as_request(), group=group)
        except ValidationError as exc:
            self.add_service_errors(exc, keep_form_errors=True)

    def add_service_errors(self, exc: ValidationError, *, keep_form_errors: bool = False) -> None:
        """Each of the service's keys beside its field ("admins.1.user_id" -> the second admin row's
        user ID); a section's own key above its rows; anything else at the top of the page."""
        already = (
            {(id(form), name) for form in self._all_forms() for name in form.errors} if keep_form_errors else set()
        )
        for key, messages in exc.message_dict.items():
            target = self._locate(key)
            for message in messages:
                if target is None:
                    if message not in self.top_errors:
                        self.top_errors.append(message)
                elif isinstance(target, forms.BaseFormSet):
                    target.non_form_errors().append(message)
                else:
                    form, field = target
                    if (id(form), field) not in already:
                        form.add_error(field, message)

    def suggest_group_id(self, suggest) -> str:
        """Prefill a blank group ID from the customer name (G3) when the page is shown again."""
        if not self.group.is_bound:
            return ""
        typed = self.group.data.get(self.group.add_prefix("group_id"), "").strip()
        name = getattr(self.group, "cleaned_data", {}).get("name")
        if typed or not name:
            return ""
        suggestion = suggest(name)
        self.group.data = self.group.data.copy()
        self.group.data[self.group.add_prefix("group_id")] = suggestion
        self.suggested_group_id = suggestion
        return suggestion

    def _all_forms(self):
        return [*self.forms, *self.admins.forms, *self.akixi_users.forms]

    def _locate(self, key: str):
        parts = key.split(".")
        head = parts[0]
        if key == "partner":
            return None  # a refusal of the whole request (O6, G2): at the top, above every section
        if len(parts) == 1:
            for form in (self.group, self.numbers, self.business_profile):
                if head in form.fields:
                    return form, head
            return self.admins if head == "admins" else None
        if head in ("voice_portal", "callcabinet") and len(parts) == 2:
            form = getattr(self, head)
            return (form, parts[1]) if parts[1] in form.fields else None
        if head == "akixi":
            if parts[1:] == ["licence"]:
                return self.akixi, "licence"
            if parts[1:] == ["users"]:
                return self.akixi_users
            if parts[1] == "users":
                return _row_field(self._akixi_user_rows, parts[2:])
            return None
        if head == "admins":
            return _row_field(self._admin_rows, parts[1:])
        return None


def _row_field(rows, parts):
    if len(parts) != 2 or not parts[0].isdigit() or int(parts[0]) >= len(rows):
        return None
    form = rows[int(parts[0])]
    return (form, parts[1]) if parts[1] in form.fields else None


class BulkUploadForm(BootstrapFormMixin, forms.Form):
    """Bulk onboarding (#15): the spreadsheet, and for staff the partner it is for (a partner user
    uploads for their own)."""

    partner = PartnerChoiceField(queryset=Partner.objects.none(), empty_label="Choose the partner")
    file = forms.FileField(
        label="Spreadsheet of customers",
        help_text="CSV or XLSX, one customer per row, in the template's columns. No passwords: they are "
        "generated when you confirm (A2).",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args, partners=None, **kwargs):
        super().__init__(*args, **kwargs)
        if partners is None:
            del self.fields["partner"]
        else:
            self.fields["partner"].queryset = partners.order_by("partner_id")
