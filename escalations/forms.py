from django import forms

from expoe_portal.forms import BootstrapFormMixin
from expoe_portal.phone import normalise_e164

from .models import EscalationContact


class EscalationContactForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = EscalationContact
        fields = ["role", "name", "phone", "email"]

    def clean_phone(self):
        return normalise_e164(self.cleaned_data["phone"])
