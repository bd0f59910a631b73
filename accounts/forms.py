from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm

from expoe_portal.forms import BootstrapFormMixin


class LoginForm(BootstrapFormMixin, AuthenticationForm):
    pass


class PortalPasswordChangeForm(BootstrapFormMixin, PasswordChangeForm):
    pass
