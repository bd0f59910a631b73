"""All of a user's API tokens end when their password, activity, role or partner changes (#17),
however the change is made: the password page, a service, Django's `changepassword`, a shell or a
management command calling `user.save()`. Infrastructure, so a signal: no caller can forget it.

pre_save compares the row about to be written with the stored one (one read, skipped when
`update_fields` names none of the four, as the login's `last_login` save does); post_save ends the
tokens, in the same transaction as the save when the caller has one. A queryset `.update()` sends
no signal: deactivation is still enforced at each request (accounts/authentication.py checks
`is_active`), and no code here changes a role, partner or password that way.
"""

from django.db.models.signals import post_save, pre_save

from .models import User
from .tokens import REASON_DEACTIVATED, REASON_PARTNER, REASON_PASSWORD, REASON_ROLE, tokens_revoke_all

WATCHED = frozenset({"password", "is_active", "role", "partner"})


def _reasons(stored: User, user: User, update_fields) -> list[str]:
    reasons = []
    if stored.password != user.password:
        # Django re-hashes a correct password on login when its hasher's work factor has grown
        # (check_password → save(update_fields=["password"]) without set_password): the same
        # password, so the tokens stay.
        rehash = user._password is None and update_fields is not None and set(update_fields) == {"password"}
        if not rehash:
            reasons.append(REASON_PASSWORD)
    if stored.is_active and not user.is_active:
        reasons.append(REASON_DEACTIVATED)
    if stored.role != user.role:
        reasons.append(REASON_ROLE)
    if stored.partner_id != user.partner_id:
        reasons.append(REASON_PARTNER)
    return reasons


def note_credential_change(sender, instance: User, raw=False, update_fields=None, **kwargs):
    instance._token_end_reasons = []
    if raw or instance.pk is None:
        return
    if update_fields is not None and not WATCHED & {"partner" if f == "partner_id" else f for f in update_fields}:
        return
    stored = User.objects.filter(pk=instance.pk).only("password", "is_active", "role", "partner_id").first()
    if stored is not None:
        instance._token_end_reasons = _reasons(stored, instance, update_fields)


def end_tokens_after_credential_change(sender, instance: User, raw=False, **kwargs):
    reasons = getattr(instance, "_token_end_reasons", [])
    instance._token_end_reasons = []
    if reasons and not raw:
        tokens_revoke_all(user=instance, reason=", ".join(reasons))


def connect() -> None:
    pre_save.connect(note_credential_change, sender=User, dispatch_uid="accounts.tokens.note_credential_change")
    post_save.connect(
        end_tokens_after_credential_change, sender=User, dispatch_uid="accounts.tokens.end_after_credential_change"
    )
