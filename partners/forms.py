from django import forms

from expoe_portal.forms import BootstrapFormMixin
from expoe_portal.phone import normalise_e164

from .models import Partner, PartnerContact
from .services import CONTACT_REQUIRED


class PartnerForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Partner
        fields = ["partner_id", "name", "clone_group_id", "live", "mfa_required"]

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
