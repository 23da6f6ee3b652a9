"""The house's layer rules (DESIGN.md, accounting/__init__.py), checked on the source with `ast`.

Every .py file of the app's packages (accounting/, blueprints/, integrations/, sandbox/, bench/) and
the top-level modules (app.py, tasks.py, extensions.py, commands.py or cli/ when present) is parsed,
never imported. Each import is recorded with its file, line, the absolute dotted name it imports
(relative imports resolved; `from accounting.office import billing` names accounting.office.billing,
which the checks resolve to the module when it is one), and whether it sits in a function or under
`if TYPE_CHECKING:`. Imports anywhere in a file count: module level, in functions, in classes.

The rules, one test each:

1. Never-arrows. accounting/ imports no Flask (flask, flask_*), huey, HTTP client, Xero SDK or
   authlib, and none of the app around it (integrations, blueprints, tasks, app, extensions, the CLI)
   nor the sandbox; sandbox/ imports nothing of the app; blueprints/ import no HTTP client, no Xero
   SDK, no authlib and not the sandbox (pages never call Xero inline, and OAuth goes through
   integrations/oauth.py); integrations/ never import blueprints/.
2. The wing order in accounting/: a ground floor (the modules directly in accounting/), the wings
   parties < ledger < office < trust, and the modules over the wings (models, integrity, demo,
   dashboard). A wing may use the ground floor, itself and the wings below it; the ground floor uses
   no wing and nothing over the wings; no wing uses what is over the wings; so office never uses
   trust. A new subpackage of accounting/ must be given its place here before it passes.
3. No import cycles among the modules of accounting/, blueprints/, integrations/, sandbox/, bench/
   and the top-level modules (strongly connected components, Tarjan). An import inside a function
   closes a loop as surely as one at the top: it only postpones it, so it counts.
4. No module imports a blueprint's private names (`from blueprints.x import _y`, or `x._y` on an
   imported blueprints.x), other than the blueprint itself.

`if TYPE_CHECKING:` imports never run, so they are left out of the cycle graph: that is the
sanctioned way to name a type without a runtime loop. They still count for rules 1, 2 and 4: those
rules say what a layer may know about, and a type annotation is knowledge. Office naming a trust
type is the office -> trust dependency the house forbids, whether or not it executes. The one
exception: the ground floor may name a wing's type under TYPE_CHECKING (the audit log's relationship
to the User who acted, by string), as issue #10 prescribes for cutting the audit <-> users cycle.

Not seen: imports made from strings (importlib.import_module, __import__), and a package
__init__.py running implicitly when one of its submodules is imported (edges go to the module named).

The checkers take a root folder, so the self-tests at the bottom run them on small fake trees.
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent

PACKAGES = ("accounting", "blueprints", "integrations", "sandbox", "bench")
TOP_LEVEL = ("app", "tasks", "extensions", "commands", "cli")

WINGS = ("parties", "ledger", "office", "trust")  # lowest first: each may use the ones before it
OVER_THE_WINGS = ("models", "integrity", "demo", "dashboard")

FLASK = ("flask", "flask_*")
HTTP_CLIENTS = ("requests", "httpx", "urllib3", "urllib.request", "http.client", "aiohttp")
XERO = ("xero_python", "authlib")
THE_APP = ("accounting", "blueprints", "integrations", "tasks", "app", "extensions", "commands", "cli")

# (importing package, names it must never import, why)
NEVER_ARROWS = (
    ("accounting", (*FLASK, "huey", *HTTP_CLIENTS, *XERO, *THE_APP[1:], "sandbox"),
     "accounting/ knows nothing of Flask, huey, HTTP, Xero or the app around it"),
    ("sandbox", THE_APP, "the sandbox never imports the app: it is a peer, like the real Xero"),
    ("blueprints", (*HTTP_CLIENTS, *XERO, "sandbox"),
     "pages never call Xero inline: tasks do, and OAuth goes through integrations/oauth.py"),
    ("integrations", ("blueprints",), "integrations/ never uses the pages"),
)


class Finding(NamedTuple):
    path: str  # the offending file, relative to the root
    line: int
    arrow: str  # "importer -> imported", or the modules of a cycle
    why: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.arrow}  ({self.why})"


@dataclass(frozen=True)
class Import:
    path: str
    line: int
    importer: str  # dotted name of the importing module
    name: str  # absolute dotted name imported: "flask.request", "accounting.office.billing.Bill"
    in_function: bool
    type_only: bool  # under `if TYPE_CHECKING:`

    @property
    def where(self) -> str:
        places = [p for p, on in (("in a function", self.in_function),
                                  ("under TYPE_CHECKING", self.type_only)) if on]
        return f"; {', '.join(places)}" if places else ""


@dataclass(frozen=True)
class Tree:
    modules: dict[str, str]  # dotted name -> path relative to the root
    imports: tuple[Import, ...]
    syntax: dict[str, ast.Module]  # path -> parsed file

    def resolve(self, name: str) -> str | None:
        """The app module a dotted name lives in (its longest prefix that is a module), if any."""
        parts = name.split(".")
        for end in range(len(parts), 0, -1):
            if ".".join(parts[:end]) in self.modules:
                return ".".join(parts[:end])
        return None

    def is_package(self, module: str) -> bool:
        return self.modules[module].endswith("__init__.py")


# --- reading the tree ---------------------------------------------------------------------------


def _source_files(root: Path) -> list[Path]:
    files = [root / f"{name}.py" for name in TOP_LEVEL if (root / f"{name}.py").is_file()]
    for package in (*PACKAGES, *TOP_LEVEL):
        if (root / package).is_dir():
            files += (p for p in (root / package).rglob("*.py") if "__pycache__" not in p.parts)
    return sorted(set(files))


def _module_name(relative: Path) -> str:
    parts = list(relative.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imported_names(node: ast.Import | ast.ImportFrom, importer: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = _from_base(node, importer, is_package)
    return [base if alias.name == "*" else f"{base}.{alias.name}" for alias in node.names]


def _from_base(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    """The absolute module of `from X import ...`, relative levels resolved against the importer."""
    if not node.level:
        return node.module or ""
    package = importer if is_package else importer.rpartition(".")[0]
    parts = package.split(".")
    base = parts[: len(parts) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _collect(node: ast.AST, found: list[tuple[ast.stmt, bool, bool]], in_function=False, type_only=False):
    """Every import statement under node, with whether it is in a function or under TYPE_CHECKING."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.expr):
            continue  # an import is a statement: no expression holds one, and skipping them is fast
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for statement in child.body:
                _collect_one(statement, found, in_function, True)
            for statement in child.orelse:
                _collect_one(statement, found, in_function, type_only)
        else:
            _collect_one(child, found, in_function, type_only)


def _collect_one(node, found, in_function, type_only):
    if isinstance(node, ast.Import | ast.ImportFrom):
        found.append((node, in_function, type_only))
    inner = in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    _collect(node, found, inner, type_only)


@functools.cache
def read_tree(root: Path) -> Tree:
    """Parse every source file of the app under root, once per root."""
    files = _source_files(root)
    modules = {_module_name(f.relative_to(root)): f.relative_to(root).as_posix() for f in files}
    imports, syntax = [], {}
    for module, path in modules.items():
        tree = ast.parse((root / path).read_text(encoding="utf-8"), filename=path)
        syntax[path] = tree
        found: list[tuple[ast.stmt, bool, bool]] = []
        _collect(tree, found)
        is_package = path.endswith("__init__.py")
        for node, in_function, type_only in found:
            for name in _imported_names(node, module, is_package):
                imports.append(Import(path, node.lineno, module, name, in_function, type_only))
    return Tree(modules, tuple(imports), syntax)


def _top(module: str) -> str:
    return module.partition(".")[0]


def _matches(name: str, pattern: str) -> bool:
    if pattern.endswith("*"):
        return _top(name).startswith(pattern[:-1])
    return name == pattern or name.startswith(pattern + ".")


# --- rule 1: never-arrows -----------------------------------------------------------------------


def never_arrows(root: Path) -> list[Finding]:
    """Imports DESIGN.md says must never exist."""
    findings = []
    for imp in read_tree(root).imports:
        for package, forbidden, why in NEVER_ARROWS:
            if _top(imp.importer) != package:
                continue
            hit = next((p for p in forbidden if _matches(imp.name, p)), None)
            if hit:
                findings.append(Finding(imp.path, imp.line, f"{imp.importer} -> {imp.name}",
                                        f"{package} -> {hit.rstrip('*')}: {why}{imp.where}"))
    return sorted(set(findings))


# --- rule 2: the wing order ---------------------------------------------------------------------


def _floor(tree: Tree, module: str) -> str:
    """'ground', a wing's name, 'over', or 'unknown:<subpackage>' for a module of accounting/."""
    parts = module.split(".")
    if len(parts) == 1:
        return "ground"
    if parts[1] in WINGS:
        return parts[1]
    if parts[1] in OVER_THE_WINGS:
        return "over"
    if len(parts) > 2 or tree.is_package(".".join(parts[:2])):
        return f"unknown:{parts[1]}"
    return "ground"


def _wing_refusal(importer_floor: str, target_floor: str) -> str | None:
    if importer_floor == "over" or importer_floor.startswith("unknown:"):
        return None
    if target_floor == "over":
        who = "the ground floor" if importer_floor == "ground" else "a wing"
        return f"{who} never uses the modules over the wings ({', '.join(OVER_THE_WINGS)})"
    if target_floor == "ground":
        return None
    if importer_floor == "ground":
        return f"the ground floor uses no wing, and {target_floor} is a wing"
    if WINGS.index(target_floor) > WINGS.index(importer_floor):
        extra = "; office never uses trust" if (importer_floor, target_floor) == ("office", "trust") else ""
        return f"{importer_floor} uses {target_floor}, a wing above it ({' < '.join(WINGS)}){extra}"
    return None


def wing_order(root: Path) -> list[Finding]:
    """Imports inside accounting/ that break the wing order, and subpackages with no place in it."""
    tree = read_tree(root)
    strays: dict[str, str] = {}  # subpackage of accounting/ the order does not place -> its first file
    for module, path in sorted(tree.modules.items(), key=lambda item: item[1]):
        floor = _floor(tree, module) if _top(module) == "accounting" else ""
        if floor.startswith("unknown:"):
            strays.setdefault(floor.removeprefix("unknown:"), path)
    findings = [Finding(path, 1, f"accounting.{name}", f"accounting/{name}/ is no wing the rules know "
                        f"({', '.join(WINGS)}): give it its place in tests/test_layers.py")
                for name, path in strays.items()]
    for imp in tree.imports:
        target = tree.resolve(imp.name)
        if _top(imp.importer) != "accounting" or target is None or _top(target) != "accounting":
            continue
        importer_floor = _floor(tree, imp.importer)
        if imp.type_only and importer_floor == "ground":
            continue  # a ground-floor row naming a wing's type (the audit log's User), never run
        why = _wing_refusal(importer_floor, _floor(tree, target))
        if why:
            findings.append(Finding(imp.path, imp.line, f"{imp.importer} -> {target}", why + imp.where))
    return sorted(set(findings))


# --- rule 3: no cycles --------------------------------------------------------------------------


def _runtime_graph(tree: Tree) -> dict[str, dict[str, Import]]:
    """module -> {imported module: the first import making that edge}, TYPE_CHECKING left out."""
    graph: dict[str, dict[str, Import]] = {module: {} for module in tree.modules}
    for imp in tree.imports:
        target = tree.resolve(imp.name)
        if imp.type_only or target is None or target == imp.importer:
            continue
        edges = graph[imp.importer]
        if target not in edges or (edges[target].in_function and not imp.in_function):
            edges[target] = imp  # prefer naming a module-level import: it is the harder one to miss
    return graph


def strongly_connected(graph: dict[str, dict[str, Import]]) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one module, each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph[node]):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(components)


def import_cycles(root: Path) -> list[Finding]:
    """One finding per import cycle, naming its modules and every import that makes it."""
    tree = read_tree(root)
    graph = _runtime_graph(tree)
    findings = []
    for component in strongly_connected(graph):
        members = set(component)
        edges = [graph[a][b] for a in component for b in sorted(graph[a]) if b in members]
        why = "; ".join(f"{e.path}:{e.line} {e.importer} -> {tree.resolve(e.name)}{e.where}" for e in edges)
        first = edges[0]
        findings.append(Finding(first.path, first.line, "cycle: " + " <-> ".join(component), why))
    return findings


# --- rule 4: a blueprint's private names --------------------------------------------------------


def _private_name(tree: Tree, importer: str, name: str) -> tuple[str, str] | None:
    """(blueprint module, private name) when `name` reaches into another blueprint's privates."""
    owner = tree.resolve(name)
    if owner is None or _top(owner) != "blueprints" or owner == importer:
        return None
    rest = name[len(owner) + 1:].split(".")[0] if len(name) > len(owner) else ""
    if rest.startswith("_") and not rest.startswith("__"):
        return owner, rest
    return None


def _bound_names(syntax: ast.Module, importer: str, is_package: bool) -> dict[str, str]:
    """Local name -> the dotted name it is bound to by an import, for following `x._y`."""
    bound = {}
    for node in ast.walk(syntax):
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound[alias.asname or _top(alias.name)] = alias.name if alias.asname else _top(alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = _from_base(node, importer, is_package)
            for alias in node.names:
                if alias.name != "*":
                    bound[alias.asname or alias.name] = f"{base}.{alias.name}"
    return bound


def _dotted(node: ast.Attribute) -> tuple[str, str] | None:
    attrs = []
    current: ast.expr = node
    while isinstance(current, ast.Attribute):
        attrs.append(current.attr)
        current = current.value
    if isinstance(current, ast.Name):
        return current.id, ".".join(reversed(attrs))
    return None


def private_names(root: Path) -> list[Finding]:
    """Uses of a blueprint module's private names from outside it."""
    tree = read_tree(root)
    reached: dict[tuple[str, int, str, str], set[str]] = {}
    reaching_in = set()  # modules importing something of blueprints/: only their attributes can reach in
    for imp in tree.imports:
        target = tree.resolve(imp.name)
        if target and _top(target) == "blueprints" and target != imp.importer:
            reaching_in.add(imp.importer)
        hit = _private_name(tree, imp.importer, imp.name)
        if hit:
            reached.setdefault((imp.path, imp.line, imp.importer, hit[0]), set()).add(hit[1])
    for module in sorted(reaching_in):
        path = tree.modules[module]
        bound = _bound_names(tree.syntax[path], module, tree.is_package(module))
        for node in ast.walk(tree.syntax[path]):
            dotted = _dotted(node) if isinstance(node, ast.Attribute) else None
            if dotted and dotted[0] in bound:
                hit = _private_name(tree, module, f"{bound[dotted[0]]}.{dotted[1]}")
                if hit:
                    reached.setdefault((path, node.lineno, module, hit[0]), set()).add(hit[1])
    return sorted(
        Finding(path, line, f"{importer} -> {owner}", f"uses {owner}'s private {', '.join(sorted(names))}: "
                "move what both need to a shared module (e.g. blueprints/pages.py) under a public name")
        for (path, line, importer, owner), names in reached.items())


# --- the rules on the real tree -----------------------------------------------------------------


def _report(title: str, findings: list[Finding]) -> str:
    return f"{len(findings)} {title}:\n  " + "\n  ".join(map(str, findings))


def test_the_checker_reads_the_house():
    tree = read_tree(ROOT)
    for module in ("app", "tasks", "extensions", "accounting.base", "accounting.ledger.journals",
                   "accounting.office.billing", "accounting.trust.ledger", "blueprints.pages", "sandbox"):
        assert module in tree.modules, f"{module} was not found under {ROOT}: the checker sees too little"
    assert not any(_top(m) == "tests" for m in tree.modules)
    assert len(tree.imports) > 300


def test_no_arrow_design_md_forbids():
    findings = never_arrows(ROOT)
    assert not findings, _report("imports DESIGN.md forbids", findings)


def test_accounting_keeps_its_wing_order():
    findings = wing_order(ROOT)
    assert not findings, _report("imports against the wing order (accounting/__init__.py)", findings)


def test_no_import_cycles():
    findings = import_cycles(ROOT)
    assert not findings, _report("import cycles (function-level imports count; TYPE_CHECKING ones do not)",
                                 findings)


def test_no_module_uses_a_blueprints_private_names():
    findings = private_names(ROOT)
    assert not findings, _report("uses of a blueprint's private names", findings)


# --- the checkers on fake trees -----------------------------------------------------------------

BAD_TREE = {
    "app.py": "from blueprints import x\n",
    "tasks.py": "import huey\n",
    "accounting/__init__.py": "",
    "accounting/base.py": "from accounting.parties.users import User\n",
    "accounting/errors.py": "def f():\n    import accounting.models\n",
    "accounting/models.py": "from accounting.office import a\nfrom accounting.trust import b\n",
    "accounting/parties/__init__.py": "",
    "accounting/parties/users.py": "from accounting.ledger import accounts\n",
    "accounting/ledger/__init__.py": "",
    "accounting/ledger/accounts.py": "from accounting.ledger import journals\n",
    "accounting/ledger/journals.py": "def post():\n    from .accounts import Account\n",
    "accounting/ledger/tax.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                "    from accounting.ledger.practice import Practice\n",
    "accounting/ledger/practice.py": "from accounting.ledger.tax import TaxCode\n",
    "accounting/office/__init__.py": "",
    "accounting/office/a.py": "from accounting.trust.b import pay\n",
    "accounting/office/c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                              "    from accounting.trust import b\n",
    "accounting/office/d.py": "from .. import integrity\nfrom flask import request\n"
                              "def fetch():\n    import httpx\n",
    "accounting/trust/__init__.py": "",
    "accounting/trust/b.py": "pay = 1\n",
    "accounting/integrity.py": "",
    "accounting/dashboard/__init__.py": "",
    "accounting/stray/x.py": "",  # no __init__.py: a namespace package is still placed or refused
    "blueprints/__init__.py": "",
    "blueprints/x.py": "import requests\nfrom blueprints.y import _private, public\nfrom . import y as why\n"
                       "def page():\n    return why._helper()\nfrom urllib.request import urlopen\n"
                       "import blueprints.y\nvalue = blueprints.y._private\n",
    "blueprints/y.py": "_private = public = 1\ndef _helper():\n    return _private\n",
    "integrations/__init__.py": "",
    "integrations/push.py": "from blueprints import x\n",
    "sandbox/__init__.py": "",
    "sandbox/books.py": "from accounting import money\nimport extensions\n",
}

CLEAN_TREE = {
    "app.py": "from flask import Flask\nfrom blueprints import x\nimport extensions\n",
    "tasks.py": "import huey\nfrom integrations import push\n",
    "extensions.py": "from flask_sqlalchemy import SQLAlchemy\nfrom accounting.base import Base\n",
    "accounting/__init__.py": '"""The books."""\n',
    "accounting/base.py": "import sqlalchemy\nfrom accounting import errors\n",
    "accounting/errors.py": "",
    "accounting/models.py": "from accounting.trust import transfers\n"
                            "from accounting.office.billing import Bill\n",
    "accounting/integrity.py": "from accounting import models\n",
    "accounting/parties/__init__.py": "",
    "accounting/parties/users.py": "from accounting.base import Base\nimport werkzeug.security\n",
    "accounting/ledger/__init__.py": "",
    "accounting/ledger/journals.py": "from ..parties.users import User\nfrom . import tax\n",
    "accounting/ledger/tax.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                "    from accounting.ledger.journals import Journal\n"
                                "else:\n    import decimal\n",
    "accounting/office/__init__.py": "",
    "accounting/office/billing.py": "from accounting.ledger.journals import post\n"
                                    "from urllib.parse import quote\n"
                                    "def f():\n    from accounting.parties import users\n",
    "accounting/trust/__init__.py": "",
    "accounting/trust/transfers.py": "from accounting.office import billing\n"
                                     "from accounting.ledger import tax\n",
    "blueprints/__init__.py": "",
    "blueprints/_shared.py": "def helper():\n    return 1\n",
    "blueprints/x.py": "from flask import Blueprint\nfrom blueprints import _shared, y\n"
                       "from blueprints.y import public\n"
                       "from accounting.office.billing import Bill\ny.public\n_shared.helper()\n"
                       "def _own():\n    return x_private\nx_private = 1\n",
    "blueprints/y.py": "public = 1\n",
    "integrations/__init__.py": "",
    "integrations/push.py": "import requests\nfrom accounting.ledger import journals\n",
    "sandbox/__init__.py": "from flask import Flask\nfrom sandbox import books\n",
    "sandbox/books.py": "import decimal\n",
}


def _build(root: Path, files: dict[str, str]) -> Path:
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    return root


def _arrows(findings: list[Finding]) -> set[str]:
    return {f.arrow for f in findings}


def test_the_checkers_name_each_forbidden_arrow_in_a_fake_tree(tmp_path):
    root = _build(tmp_path, BAD_TREE)

    arrows = never_arrows(root)
    assert _arrows(arrows) == {
        "accounting.office.d -> flask.request", "accounting.office.d -> httpx",
        "blueprints.x -> requests", "blueprints.x -> urllib.request.urlopen",
        "integrations.push -> blueprints.x",
        "sandbox.books -> accounting.money", "sandbox.books -> extensions",
    }, arrows
    assert "accounting/office/d.py:4:" in str(next(f for f in arrows if "httpx" in f.arrow))

    wings = wing_order(root)
    assert _arrows(wings) == {
        "accounting.base -> accounting.parties.users",  # the ground floor uses a wing
        "accounting.errors -> accounting.models",  # the ground floor uses what is over the wings
        "accounting.parties.users -> accounting.ledger.accounts",  # a wing uses a wing above it
        "accounting.office.a -> accounting.trust.b",
        "accounting.office.c -> accounting.trust.b",  # typing only, still office -> trust
        "accounting.office.d -> accounting.integrity",  # relative import of an over-the-wings module
        "accounting.stray",  # a subpackage with no place in the order
    }, wings
    office_trust = [f for f in wings if f.arrow.startswith("accounting.office.")]
    assert all("office never uses trust" in f.why for f in office_trust if "trust" in f.arrow)
    assert "TYPE_CHECKING" in next(f.why for f in wings if f.path == "accounting/office/c.py")

    cycles = import_cycles(root)
    assert [f.arrow for f in cycles] == ["cycle: accounting.ledger.accounts <-> accounting.ledger.journals"]
    assert "accounting/ledger/journals.py:2 accounting.ledger.journals -> accounting.ledger.accounts; " \
           "in a function" in cycles[0].why  # tax <-> practice is TYPE_CHECKING only: no cycle

    private = private_names(root)
    assert [(f.path, f.line, f.arrow) for f in private] == [
        ("blueprints/x.py", 2, "blueprints.x -> blueprints.y"),
        ("blueprints/x.py", 5, "blueprints.x -> blueprints.y"),  # why._helper(), why bound to blueprints.y
        ("blueprints/x.py", 8, "blueprints.x -> blueprints.y"),  # blueprints.y._private after `import`
    ], private
    assert "_private" in private[0].why and "_helper" in private[1].why and "_private" in private[2].why


def test_a_three_module_cycle_through_top_level_modules_is_named(tmp_path):
    root = _build(tmp_path, {
        "app.py": "from blueprints.pages import render\n",
        "blueprints/__init__.py": "",
        "blueprints/pages.py": "import tasks\n",
        "tasks.py": "def kick():\n    from app import create_app\n",
        "extensions.py": "import app\n",
    })
    cycles = import_cycles(root)
    assert [f.arrow for f in cycles] == ["cycle: app <-> blueprints.pages <-> tasks"], cycles


def test_a_clean_fake_tree_has_no_finding(tmp_path):
    root = _build(tmp_path, CLEAN_TREE)
    for check in (never_arrows, wing_order, import_cycles, private_names):
        assert check(root) == [], f"{check.__name__}: {check(root)}"
