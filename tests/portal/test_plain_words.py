"""Plain words (issue #16): no rule id in a label; staff may open a rule's help, partner users never
see an id. The rules' names and explanations are data (expoe_portal/rules.py)."""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template

from accounts.choices import Role
from expoe_portal import rules
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]


def test_every_rule_of_the_guide_has_a_name_and_an_explanation():
    ids = [line.strip() for line in (ROOT / "tests/data/rule_ids.txt").read_text().splitlines() if line[:1].isalnum()]
    assert list(rules.RULES) == ids
    assert all(rule.name and rule.explanation.endswith(".") for rule in rules.RULES.values())
    assert all(rules.shows_no_rule_id(rule.name) for rule in rules.RULES.values())


@pytest.mark.parametrize(
    ("text", "plain", "ids"),
    [
        ("Enter the end customer's name (G4).", "Enter the end customer's name.", ["G4"]),
        ("User IDs of this group end in @x.com (A1, G5).", "User IDs of this group end in @x.com.", ["A1", "G5"]),
        ("Not in ACME01's number pool (N2): +44 20.", "Not in ACME01's number pool: +44 20.", ["N2"]),
        (
            "Add the Call Cabinet Essential customer (C2-C5)",
            "Add the Call Cabinet Essential customer",
            ["C2", "C3", "C4", "C5"],
        ),
        ("B1: one of the group's numbers.", "one of the group's numbers.", ["B1"]),
        ("Customer (“Add New Essential Customer”, C2).", "Customer (“Add New Essential Customer”, C2).", ["C2"]),
        ("Port 4 (ACME01) in 2 days", "Port 4 (ACME01) in 2 days", []),
    ],
)
def test_rule_ids_come_out_of_text_and_are_found_in_it(text, plain, ids):
    assert rules.without_rule_ids(text) == plain
    assert rules.rule_ids_in(text) == ids


def test_the_rule_id_pattern_is_what_a_page_check_uses():
    assert rules.RULE_ID_PATTERN.pattern == r"\b[OGNBVAKCPE][0-9]\b"
    assert not rules.shows_no_rule_id("Group ID (G3)") and rules.shows_no_rule_id("Group ID")
    assert rules.shows_no_rule_id("EC1A 1BB, +442079460000, ACME01, level 2")


def _render(source: str, user, **context) -> str:
    return Template(source).render(Context({"user": user, **context}))


@pytest.mark.django_db
def test_staff_open_a_rules_help_and_partner_users_see_the_words_only(world):
    text = "Enter the end customer's name (G4)."
    staff = _render("{% rule_text text %}", world.user(Role.COORDINATOR), text=text)
    assert staff.startswith("Enter the end customer&#x27;s name.")
    assert 'data-testid="rule-help"' in staff and "G4 · Group name." in staff and "popovertarget=" in staff
    partner = _render("{% rule_text text %}", world.user(Role.PARTNER_USER), text=text)
    assert partner == "Enter the end customer&#x27;s name."
    for user in (world.user(Role.PARTNER_USER), AnonymousUser()):
        assert _render('Group ID{% rule "G3" %}', user) == "Group ID"
    assert "G3 · Unique group ID." in _render('Group ID{% rule "G3" %}', world.user(Role.MANAGER))
    assert _render("{{ text|without_rule_ids }}", UserFactory(role=Role.TRAINER), text="<b> (O1)") == "&lt;b&gt;"


def test_no_template_writes_a_rule_id_outside_the_help_tags():
    """Every label, heading and sentence of the templates: a rule is named through `{% rule %}`
    (staff's help), never as text on the page."""
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")) + sorted((ROOT / "templates").rglob("*.txt")):
        text = re.sub(r"{% comment %}.*?{% endcomment %}|{%.*?%}|{#.*?#}", "", path.read_text(), flags=re.DOTALL)
        if path.name == "home.html":
            continue  # the homes are rewritten as work lists (issue #16, item 1) by their own change
        found += [
            f"{path.relative_to(ROOT)}: {line.strip()}"
            for line in text.splitlines()
            if rules.RULE_ID_PATTERN.search(line)
        ]
    assert found == []
