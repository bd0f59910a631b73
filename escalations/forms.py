from django import forms

from accounts.models import EscalationContact
from expoe_portal import bounds
from expoe_portal.durations import hours_text
from expoe_portal.forms import BootstrapFormMixin
from expoe_portal.phone import normalise_e164

from .choices import SlaClock
from .models import SlaPolicy


class EscalationContactForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = EscalationContact
        fields = ["role", "name", "phone", "email"]

    def clean_phone(self):
        return normalise_e164(self.cleaned_data["phone"])


class AcknowledgeForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(
        max_length=bounds.NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What is being done about it. The escalation then stays at its level (E2).",
    )


class SlaPolicyForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = SlaPolicy
        fields = ["target", "at_risk_hours", "breach_start_level", "climb_every_hours", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # O1 and the port date carry their own deadline; a target here would be silently ignored.
        if self.instance.clock == SlaClock.ITEM_DEADLINE:
            del self.fields["target"]
        else:
            self.fields["target"].required = True
            self.fields["target"].label = (
                "Hours allowed" if self.instance.clock == SlaClock.CALENDAR_HOURS else ("Working days allowed")
            )
        # Stored and typed in hours; the help says what that is in days and hours.
        for name in ("target", "at_risk_hours", "climb_every_hours"):
            if name in self.fields and not (name == "target" and self.instance.clock == SlaClock.WORKING_DAYS):
                value = getattr(self.instance, name)
                now = f" Now {value} hours: {hours_text(value)}." if value else ""
                self.fields[
                    name
                ].help_text = f"{self.fields[name].help_text} In hours; 24 hours are 1 day.{now}".strip()
