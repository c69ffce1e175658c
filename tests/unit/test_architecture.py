"""The layout says the architecture (docs/architecture.md): this walks every import of the
service's code, the lazy ones inside functions and the typing-only ones included, and fails on a
new one that crosses a layer the wrong way."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / "layers" / "comments"
PACKAGES = {
    "comments": LAYER / "comments",
    "comments_cli": ROOT / "cli" / "comments_cli",
    "comments_dev": ROOT / "dev" / "comments_dev",
}
FUNCTIONS = sorted(p.parent.name for p in (ROOT / "functions").glob("*/app.py"))

# What each layer may import of the project's own code (prefixes); anything else of ours is refused.
ALLOWED = {
    "comments": (),  # the package itself: an empty __init__.py
    "comments.policy": ("comments.policy",),
    "comments.domain": ("comments.domain", "comments.policy"),
    "comments.adapters": ("comments.adapters", "comments.domain", "comments.policy"),
    "comments.api": ("comments.api", "comments.adapters", "comments.domain", "comments.policy"),
    "comments_cli": (
        "comments_cli",
        "comments.api",
        "comments.adapters",
        "comments.domain",
        "comments.policy",
    ),
    "comments_dev": ("comments_dev", "comments"),
}
# The pure layers do no I/O and read no environment: no AWS SDK, no Powertools, no os.
PURE = ("comments.policy", "comments.domain")
NOT_PURE = ("boto3", "botocore", "aws_lambda_powertools", "os", "socket", "urllib.request", "subprocess")


def module_name(path: Path) -> str:
    for package, folder in PACKAGES.items():
        if path.is_relative_to(folder):
            parts = path.relative_to(folder).with_suffix("").parts
            return ".".join((package, *parts)).removesuffix(".__init__")
    raise ValueError(path)


def imports(path: Path) -> set[str]:
    package = module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else module_name(path)
    return imports_in(path.read_text(encoding="utf-8"), package)


def imports_in(source: str, package: str) -> set[str]:
    """Every module a source imports, anywhere in it (relative imports made absolute)."""
    tree = ast.parse(source)
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join([*parts[: len(parts) - node.level + 1], base])
            found.add(base.rstrip("."))
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def ours(name: str) -> bool:
    return name.split(".")[0] in PACKAGES


def layer_of(module: str) -> str:
    return max((layer for layer in ALLOWED if module == layer or module.startswith(layer + ".")), key=len)


def sources() -> list[Path]:
    return sorted(p for folder in PACKAGES.values() for p in folder.rglob("*.py"))


def known(name: str) -> bool:
    """A name that is one of our modules (not a function or class imported from one)."""
    head, *rest = name.split(".")
    path = PACKAGES[head].joinpath(*rest)
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def crossings(module: str, names: set[str]) -> list[str]:
    """The imports of ours that `module`'s layer may not make (`comments`, the empty package, is
    everyone's)."""
    allowed = ALLOWED[layer_of(module)]
    return sorted(n for n in names if ours(n) and known(n) and not n.startswith(allowed) and n != "comments")


def impure(module: str, names: set[str]) -> list[str]:
    if not module.startswith(PURE):
        return []
    return sorted(n for n in names if n in NOT_PURE or n.startswith(tuple(f"{p}." for p in NOT_PURE)))


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_module_imports_only_what_its_layer_may(path):
    module = module_name(path)
    wrong = crossings(module, imports(path))
    assert wrong == [], f"{module} ({layer_of(module)}) must not import {wrong}"


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_pure_layers_do_no_io(path):
    module = module_name(path)
    used = impure(module, imports(path))
    assert used == [], f"{module} is pure (policy and domain do no I/O): it imports {used}"


def test_nothing_outside_the_emulator_imports_it():
    for path in sources():
        if module_name(path).startswith("comments_dev"):
            continue
        assert not [n for n in imports(path) if n.startswith("comments_dev")], path


@pytest.mark.parametrize("function", FUNCTIONS)
def test_each_function_is_wired_to_its_own_api_module_alone(function):
    # Given functions/<name>/app.py, the handler Lambda runs
    app = ROOT / "functions" / function / "app.py"
    tree = ast.parse(app.read_text(encoding="utf-8"))
    ours_imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and ours(node.module):
            ours_imported.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            ours_imported.update(a.name for a in node.names if ours(a.name))
    # Then it imports exactly one module of the layer: comments.api.<name>
    assert ours_imported == {f"comments.api.{function}"}
    assert (LAYER / "comments" / "api" / f"{function}.py").is_file()


def test_every_api_module_but_the_shared_ones_is_a_function():
    shared = {"__init__", "http", "runtime"}
    modules = {p.stem for p in (LAYER / "comments" / "api").glob("*.py")} - shared
    assert modules == set(FUNCTIONS)


def test_no_module_is_over_600_lines():
    files = [*sources(), *(ROOT / "functions").glob("*/app.py"), *(ROOT / "bench").glob("*.py")]
    long = {str(p.relative_to(ROOT)): n for p in files if (n := len(p.read_text().splitlines())) > 600}
    assert long == {}


def test_the_walk_sees_a_lazy_import_across_a_layer():
    # Given a domain module that imports an adapter and boto3 inside a function, and one that
    # reaches up into the API with a relative import
    lazy = "def f():\n    from comments.adapters.dynamo import to_item\n    import boto3\n"
    relative = "from ..api import runtime\n"
    # Then both crossings and the I/O are reported
    names = imports_in(lazy, "comments.domain")
    assert crossings("comments.domain.submission", names) == ["comments.adapters.dynamo"]
    assert impure("comments.domain.submission", names) == ["boto3"]
    assert crossings("comments.domain.submission", imports_in(relative, "comments.domain")) == [
        "comments.api",
        "comments.api.runtime",
    ]


def test_no_script_of_the_moderator_console_is_over_600_lines():
    # Plain scripts with no build step: the console is split by concern (web/README.md) to stay readable.
    scripts = list((ROOT / "web").glob("moderation*.js"))
    assert len(scripts) >= 8
    long = {p.name: n for p in scripts if (n := len(p.read_text().splitlines())) > 600}
    assert long == {}
