from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.contrib.auth.password_validation import password_validators_help_texts

from expoe_portal.forms import BootstrapFormMixin

from .security import password_set


class LoginForm(BootstrapFormMixin, AuthenticationForm):
    pass


class PlainPasswordHelpMixin:
    """The validators' rules as one plain sentence per rule: Django's own help is an HTML list,
    which the form template (rightly) shows escaped."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = " ".join(password_validators_help_texts())


class PortalPasswordChangeForm(PlainPasswordHelpMixin, BootstrapFormMixin, PasswordChangeForm):
    def save(self, commit=True):
        # The service sets it and audits it (the form has run the same validators already).
        password_set(user=self.user, password=self.cleaned_data["new_password1"])
        return self.user


class PortalSetPasswordForm(PlainPasswordHelpMixin, BootstrapFormMixin, SetPasswordForm):
    """The new password a reset link leads to; checked by the same validators (zxcvbn's too)."""

    def save(self, commit=True):
        password_set(user=self.user, password=self.cleaned_data["new_password1"], by_reset=True)
        return self.user


class PasswordResetRequestForm(BootstrapFormMixin, forms.Form):
    email = forms.EmailField(
        label="Your email address", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
