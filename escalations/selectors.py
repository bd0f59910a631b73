from accounts.scoping import get_scoped_or_404, scope_for

from .models import EscalationContact


def escalation_contact_list(*, user):
    return scope_for(user, EscalationContact.objects.select_related("updated_by"))


def escalation_contact_get(*, user, pk) -> EscalationContact:
    return get_scoped_or_404(user, EscalationContact.objects.all(), pk=pk)
