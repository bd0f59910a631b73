"""Every rule of the guide is named by at least one test, so a rule with nothing checking it shows
up here rather than in production. The ids are kept in tests/data/rule_ids.txt; beside the project,
../shared/domain/RULES.md is their source, and where it is there the two must agree."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RULE_IDS = ROOT / "tests" / "data" / "rule_ids.txt"
RULES = ROOT.parent / "shared" / "domain" / "RULES.md"


def rule_ids() -> list[str]:
    return [line.strip() for line in RULE_IDS.read_text().splitlines() if line.strip() and not line.startswith("#")]


def test_every_rule_id_is_named_by_a_test():
    ids = rule_ids()
    assert len(ids) >= 39 and {"O2", "G3", "B1", "C6", "K4", "P4"} <= set(ids)
    if RULES.exists():  # beside the project (not in a bare clone): the copy is the source's
        assert ids == re.findall(r"^\| *([A-Z]{1,2}\d+) *\|", RULES.read_text(), re.MULTILINE)
    tests = (ROOT / "tests").rglob("test_*.py")
    names = {name for path in tests for name in re.findall(r"def (test_\w+)", path.read_text())}
    unnamed = [rule for rule in ids if not any(re.search(rf"(^|_){rule}(_|$)", name) for name in names)]
    assert unnamed == [], f"no test is named after {unnamed}"
