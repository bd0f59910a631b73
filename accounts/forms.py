from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm

from expoe_portal import bounds
from expoe_portal.forms import BootstrapFormMixin, bounded


class LoginForm(BootstrapFormMixin, AuthenticationForm):
    # A passphrase of any real length; a megabyte would cost the password hasher seconds.
    password = bounded(AuthenticationForm.base_fields["password"], bounds.PASSWORD)


class PortalPasswordChangeForm(BootstrapFormMixin, PasswordChangeForm):
    old_password = bounded(PasswordChangeForm.base_fields["old_password"], bounds.PASSWORD)
    new_password1 = bounded(PasswordChangeForm.base_fields["new_password1"], bounds.PASSWORD)
    new_password2 = bounded(PasswordChangeForm.base_fields["new_password2"], bounds.PASSWORD)
