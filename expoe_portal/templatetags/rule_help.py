"""Rule ids off the page, their help on it for staff (expoe_portal/rules.py says why).

Built into every template (settings: TEMPLATES' builtins), so no template loads it:
- `{% rule "G3" %}`: for staff, a small button that opens the rule's name and explanation; for
  partner users (and anyone not signed in), nothing.
- `{% rule_text text %}`: `text` (a help text, an error, a message) without the ids it names, then
  the same help for staff, one button for all the rules it names.
- `{% rule_help_for text %}`: only the help for the rules `text` names (beside a label whose
  text goes through the filter below).
- `{{ text|without_rule_ids }}`: the text without its ids, for places that take no markup (an
  attribute, a title, an email)."""

from itertools import count

from django import template
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeData, SafeString, mark_safe

from expoe_portal import rules

register = template.Library()

_popover_ids = count(1)


def _is_staff(context: template.Context) -> bool:
    user = context.get("user")
    if user is None and (request := context.get("request")) is not None:
        user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and not user.is_partner_user)


def rule_help(rule_ids: list[str]) -> SafeString:
    """A button that opens the named rules' help (HTML popover: no script, keyboard reachable,
    closed by Escape or a click elsewhere)."""
    known = [rules.RULES[rule_id] for rule_id in rule_ids if rule_id in rules.RULES]
    if not known:
        return mark_safe("")
    popover = f"rule-help-{next(_popover_ids)}"
    names = ", ".join(rule.id for rule in known)
    return format_html(
        ' <button type="button" class="btn btn-link btn-sm p-0 align-baseline text-decoration-none" '
        'popovertarget="{}" data-testid="rule-help" aria-label="About the rule{}: {}">'
        '<span class="rule-help-mark" aria-hidden="true">i</span></button>'
        '<span popover id="{}" class="card card-body shadow small text-start fw-normal">{}</span>',
        popover,
        "s" if len(known) > 1 else "",
        names,
        popover,
        format_html_join(
            "",
            '<span class="d-block mb-1"><strong>{} · {}.</strong> {}</span>',
            ((rule.id, rule.name, rule.explanation) for rule in known),
        ),
    )


@register.simple_tag(takes_context=True)
def rule(context: template.Context, *rule_ids: str) -> SafeString:
    return rule_help(list(rule_ids)) if _is_staff(context) else mark_safe("")


@register.simple_tag(takes_context=True)
def rule_text(context: template.Context, text: object) -> SafeString:
    if text is None or text == "":
        return mark_safe("")
    plain = _plain(text)
    if not _is_staff(context):
        return plain
    return format_html("{}{}", plain, rule_help(rules.rule_ids_in(str(text))))


@register.simple_tag(takes_context=True)
def rule_help_for(context: template.Context, text: object) -> SafeString:
    return rule_help(rules.rule_ids_in(str(text))) if text and _is_staff(context) else mark_safe("")


@register.filter(name="without_rule_ids")
def without_rule_ids_filter(text: object) -> str:
    return _plain(text) if text not in (None, "") else ""


def _plain(text: object) -> SafeString:
    # Text already marked safe (a help text with markup) stays markup; anything else is escaped.
    plain = rules.without_rule_ids(str(text))
    return mark_safe(plain) if isinstance(text, SafeData) else conditional_escape(plain)  # noqa: S308 (escaped or already safe)
