from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.contrib.auth.password_validation import password_validators_help_texts

from expoe_portal import bounds
from expoe_portal.forms import BootstrapFormMixin, bounded

from .security import password_set


class LoginForm(BootstrapFormMixin, AuthenticationForm):
    # A passphrase of any real length; a megabyte would cost the password hasher seconds.
    password = bounded(AuthenticationForm.base_fields["password"], bounds.PASSWORD)


class PlainPasswordHelpMixin:
    """The validators' rules as one plain sentence per rule: Django's own help is an HTML list,
    which the form template (rightly) shows escaped."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = " ".join(password_validators_help_texts())


class PortalPasswordChangeForm(PlainPasswordHelpMixin, BootstrapFormMixin, PasswordChangeForm):
    old_password = bounded(PasswordChangeForm.base_fields["old_password"], bounds.PASSWORD)
    new_password1 = bounded(PasswordChangeForm.base_fields["new_password1"], bounds.PASSWORD)
    new_password2 = bounded(PasswordChangeForm.base_fields["new_password2"], bounds.PASSWORD)

    def save(self, commit=True):
        # The service sets it and audits it (the form has run the same validators already).
        password_set(user=self.user, password=self.cleaned_data["new_password1"])
        return self.user


class PortalSetPasswordForm(PlainPasswordHelpMixin, BootstrapFormMixin, SetPasswordForm):
    """The new password a reset link leads to; checked by the same validators (zxcvbn's too)."""

    new_password1 = bounded(SetPasswordForm.base_fields["new_password1"], bounds.PASSWORD)
    new_password2 = bounded(SetPasswordForm.base_fields["new_password2"], bounds.PASSWORD)

    def save(self, commit=True):
        password_set(user=self.user, password=self.cleaned_data["new_password1"], by_reset=True)
        return self.user


class PasswordResetRequestForm(BootstrapFormMixin, forms.Form):
    email = forms.EmailField(
        label="Your email address", max_length=bounds.EMAIL, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
