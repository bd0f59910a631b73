"""The guide's rules as data (rules.toml: each id's short name and plain explanation, from RULES.md), and
how text that names rules is shown.

Code, tests, docstrings and service messages keep naming their rule ("... (G3)."): that is how a
rule's enforcement is found by grepping its id. Pages never show the id in a label: the template
tags in `templatetags/rule_help.py` take the id out of the text, and staff (never partner users)
may open a short help that names and explains the rule. `RULE_ID_PATTERN` is the one place that
says what an id looks like, for the tests that check a partner page shows none."""

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

# A rule id as a page could show it: one letter of the guide's sections, one digit.
RULE_ID_PATTERN = re.compile(r"\b[OGNBVAKCPE][0-9]\b")

_ID = r"[OGNBVAKCPE][0-9]"
_IDS = rf"{_ID}(?:\s*(?:[-–,]|and)\s*{_ID})*"
# "(G3)", "(A1, G5)", "(C2-C5)", "(E1, E2)" with the space before them; "B1: " at the start.
_IN_BRACKETS = re.compile(rf"\s*\(\s*{_IDS}\s*\)")
_LEADING = re.compile(rf"^\s*{_IDS}\s*:\s*")
_BEFORE_A_COLON = re.compile(rf"\s+{_IDS}\s*:")  # "Guide P4: 22 days" reads "Guide: 22 days"
_RANGE = re.compile(rf"({_ID})\s*[-–]\s*({_ID})")


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    explanation: str


RULES: dict[str, Rule] = {
    rule_id: Rule(rule_id, values["name"], values["explanation"])
    for rule_id, values in tomllib.loads(Path(__file__).with_name("rules.toml").read_text()).items()
}


def rule_ids_in(text: str) -> list[str]:
    """The rule ids a text names, in order, once each; a range such as C2-C5 names every rule in it."""
    text = _RANGE.sub(lambda m: " ".join(_id_range(m.group(1), m.group(2))), str(text))
    found: list[str] = []
    for rule_id in RULE_ID_PATTERN.findall(text):
        if rule_id in RULES and rule_id not in found:
            found.append(rule_id)
    return found


def without_rule_ids(text: str) -> str:
    """The text as a reader sees it: "(G3)", "B1: " and "Guide P4:"'s id taken out, nothing else changed."""
    return _BEFORE_A_COLON.sub(":", _LEADING.sub("", _IN_BRACKETS.sub("", str(text))))


def shows_no_rule_id(text: str) -> bool:
    """True when `text` (a page's visible text) names no rule: what every partner page must be."""
    return RULE_ID_PATTERN.search(text) is None


def _id_range(first: str, last: str) -> list[str]:
    if first[0] != last[0] or first[1] > last[1]:
        return [first, last]
    return [f"{first[0]}{n}" for n in range(int(first[1]), int(last[1]) + 1)]
