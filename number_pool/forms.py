from django import forms

from expoe_portal import bounds
from expoe_portal.forms import BootstrapFormMixin
from partners.models import Partner

from .parsing import parse_number_list


class NumbersAddForm(BootstrapFormMixin, forms.Form):
    partner = forms.ModelChoiceField(queryset=Partner.objects.all())
    numbers = forms.CharField(
        max_length=bounds.numbers_text_length(),
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "020 7946 0000\n020 7946 0100 - 020 7946 0199"}),
        help_text="One number or range per line (first - last), or paste a CSV column. UK formats are fine.",
    )

    def clean_numbers(self):
        return parse_number_list(self.cleaned_data["numbers"])
