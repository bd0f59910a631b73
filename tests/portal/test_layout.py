"""The layout of issue #12: one app per domain, no import cycles, small modules, and a move that
changed no URL, no API path, field or status code.

`tests/data/contract_before_layout.json` was written from the release before the move: its URL
routes and its OpenAPI schema (paths, methods, documented status codes, every schema's fields and
enumerations). Adding routes, endpoints or fields is free (API.md); removing or renaming one is not.
"""

import json
import sys
from pathlib import Path

import grimp
import pytest
from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(__file__).resolve().parents[2]
APPS = ["accounts", "partners", "number_pool", "onboarding", "customers", "porting", "escalations", "reconciliation"]
PROJECT = [*APPS, "integrations", "expoe_portal"]
CONTRACT = json.loads((ROOT / "tests" / "data" / "contract_before_layout.json").read_text())
MAX_LINES = 600


def _routes(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def test_every_url_path_of_the_release_before_the_move_is_still_served():
    served = set(_routes(get_resolver().url_patterns))
    assert sorted(set(CONTRACT["routes"]) - served) == []


@pytest.mark.django_db
def test_every_api_path_method_status_code_field_and_choice_is_unchanged():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    missing = []
    for path, methods in CONTRACT["api"]["paths"].items():
        for method, codes in methods.items():
            operation = schema["paths"].get(path, {}).get(method)
            if operation is None:
                missing.append(f"{method.upper()} {path}")
            elif not set(codes) <= set(operation.get("responses", {})):
                missing.append(f"{method.upper()} {path} responses {sorted(set(codes) - set(operation['responses']))}")
    for name, shape in CONTRACT["api"]["schemas"].items():
        current = schema["components"]["schemas"].get(name)
        if current is None:
            missing.append(f"schema {name}")
            continue
        if gone := set(shape.get("properties", [])) - set(current.get("properties", {})):
            missing.append(f"{name} fields {sorted(gone)}")
        if "enum" in shape and shape["enum"] != current.get("enum"):
            missing.append(f"{name} choices {shape['enum']} -> {current.get('enum')}")
    assert missing == []


def test_no_import_cycle_among_project_modules_counting_imports_inside_functions():
    """grimp reads every import statement, those inside functions included."""
    sys.path.insert(0, str(ROOT))
    graph = grimp.build_graph(*PROJECT)
    cycles = _strongly_connected(graph)
    assert cycles == [], "modules that import each other, directly or through others: " + "; ".join(
        " <-> ".join(cycle) for cycle in cycles
    )


def _strongly_connected(graph) -> list[list[str]]:
    """Tarjan's algorithm (iterative): every group of two or more modules that reach each other."""
    index, low, on_stack, stack, groups, counter = {}, {}, set(), [], [], 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups


def test_the_cycle_finder_finds_a_cycle():
    class Graph:
        modules = {"a", "b", "c", "d"}
        edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}

        def find_modules_directly_imported_by(self, module):
            return self.edges.get(module, set())

    assert _strongly_connected(Graph()) == [["a", "b", "c"]]


def test_no_hand_written_module_is_over_600_lines():
    too_long = []
    for folder in [*PROJECT, "tests", "bench"]:
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            lines = len(path.read_text().splitlines())
            if lines > MAX_LINES:
                too_long.append(f"{path.relative_to(ROOT)}: {lines}")
    assert too_long == []


def test_every_app_has_the_same_shape():
    """DESIGN.md, "Layout": a newcomer finds anything by its file name."""
    shape = ["models.py", "choices.py", "services.py", "selectors.py", "urls.py", "views.py", "api.py", "demo.py"]
    missing = [
        f"{app}/{name}" for app in APPS if app != "accounts" for name in shape if not (ROOT / app / name).exists()
    ]
    assert missing == []
