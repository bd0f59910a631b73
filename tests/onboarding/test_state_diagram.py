"""docs/onboarding.md's state diagram is the one django-fsm-2 draws from OnboardingOrder (O1-O6)."""

import re
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

DOC = Path(settings.BASE_DIR) / "docs" / "onboarding.md"
COMMAND = "graph_transitions onboarding.OnboardingOrder"
REGENERATE = (
    f"docs/onboarding.md's state diagram is out of date: run `.venv/bin/python manage.py {COMMAND}` "
    "and replace the ```dot block in docs/onboarding.md with its output (line order does not matter)."
)


def lines(text: str) -> list[str]:
    return sorted(line.strip() for line in text.splitlines() if line.strip())


def doc_dot_block() -> str:
    blocks = re.findall(r"^```dot\n(.*?)^```", DOC.read_text(encoding="utf-8"), flags=re.MULTILINE | re.DOTALL)
    assert len(blocks) == 1, f"docs/onboarding.md needs exactly one ```dot block. {REGENERATE}"
    return blocks[0]


def test_doc_state_diagram_matches_the_state_machine():
    out = StringIO()
    call_command(*COMMAND.split(), stdout=out)
    generated = lines(out.getvalue())
    assert any("->" in line for line in generated)  # the command did draw the machine
    documented = lines(doc_dot_block())
    missing = sorted(set(generated) - set(documented))
    stale = sorted(set(documented) - set(generated))
    assert documented == generated, (
        f"{REGENERATE}\nMissing from the doc:\n  "
        + "\n  ".join(missing or ["(none)"])
        + "\nIn the doc but no longer in the code:\n  "
        + "\n  ".join(stale or ["(none)"])
    )


def test_doc_says_how_to_regenerate_the_diagram():
    assert f"manage.py {COMMAND}" in DOC.read_text(encoding="utf-8")
