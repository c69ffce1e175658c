"""A Lambda-shaped file system, built from this virtualenv, for cold-start measurements.

Lambda's python3.13 runtime puts three places on `sys.path`, in this order:

    /var/task                the function's CodeUri (here: functions/<name>/app.py)
    /opt/python              the layer: the `comments` package plus layers/comments/requirements.txt
    /var/runtime             the runtime's own boto3, botocore, s3transfer, urllib3, ...

and nothing else (no site-packages, no .pth files). This module lays out the same three places
in a temporary directory, so that a fresh interpreter started with `-I -S -B` imports exactly
what a deployed function imports, from where it would:

- the runtime's packages are the virtualenv's installed copies (compiled `.pyc` included, as
  in the runtime image);
- the layer is a *copy* of the sources of the requirements' dependency closure and of the
  `comments` package, without `__pycache__`: `sam build`'s pip workflow unpacks wheels and
  copies sources, so a deployed layer carries no bytecode and, `/opt` being read-only, every
  cold start compiles every module it imports. With `precompiled=True` the layer is compiled
  ahead of time (`compileall --invalidation-mode unchecked-hash`), as a build step can do;
- each function folder is a copy, without bytecode (compiled at every cold start, as in Lambda).

Packages that are in this virtualenv for development only (awscrt, pyOpenSSL, moto, ...) are not
in the image: botocore picks some of them up when present, which would slow the baseline down
and flatter the ratios.
"""

import importlib.metadata as md
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYER_SOURCE = ROOT / "layers" / "comments"
RUNTIME_PACKAGES = ("boto3",)


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_names(path: Path) -> list[str]:
    names = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            match = re.match(r"[A-Za-z0-9_.-]+", line)
            if match:
                names.append(match.group(0))
    return names


def closure(roots: list[str] | tuple[str, ...]) -> dict[str, md.Distribution]:
    """The installed distributions `roots` need (no extras), by normalised name."""
    found: dict[str, md.Distribution] = {}
    stack = list(roots)
    while stack:
        name = stack.pop()
        key = _normalise(name)
        if key in found:
            continue
        try:
            dist = md.distribution(name)
        except md.PackageNotFoundError:
            continue
        found[key] = dist
        for req in dist.requires or []:
            if "extra ==" in req:
                continue
            match = re.match(r"[A-Za-z0-9_.-]+", req)
            if match:
                stack.append(match.group(0))
    return found


def _top_levels(dist: md.Distribution) -> set[str]:
    tops = set()
    for file in dist.files or []:
        first = file.parts[0]
        if first.endswith((".dist-info", ".data")) or first in ("..", "bin", "__pycache__"):
            continue
        tops.add(first)
    return tops


@dataclass
class LambdaImage:
    root: Path
    runtime: Path
    layer: Path
    precompiled: bool

    def task(self, code_uri: str) -> Path:
        """/var/task for a function: a copy of its CodeUri, without bytecode."""
        dest = self.root / "task" / code_uri.replace("/", "_")
        if not dest.exists():
            shutil.copytree(ROOT / code_uri, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        return dest

    def path_for(self, task: Path | None) -> list[str]:
        return [*([str(task)] if task else []), str(self.layer), str(self.runtime)]

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def build(precompiled: bool = False, parent: Path | None = None) -> LambdaImage:
    root = Path(tempfile.mkdtemp(prefix="lambda-image-", dir=parent))
    runtime, layer = root / "var-runtime", root / "opt-python"
    runtime.mkdir()
    layer.mkdir()
    runtime_dists = closure(RUNTIME_PACKAGES)
    for dist in runtime_dists.values():
        for top in _top_levels(dist):
            target = runtime / top
            if not target.exists():
                target.symlink_to(Path(str(dist.locate_file(top))))
    layer_dists = closure(_requirement_names(LAYER_SOURCE / "requirements.txt"))
    for dist in layer_dists.values():
        for top in _top_levels(dist):
            source, target = Path(str(dist.locate_file(top))), layer / top
            if target.exists() or not source.exists():
                continue
            if source.is_dir():
                shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                shutil.copy2(source, target)
    shutil.copytree(
        LAYER_SOURCE / "comments", layer / "comments", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    if precompiled:
        # As layers/comments/Makefile does: the policy's expressions compiled ahead, then the
        # layer's Python 3.13 bytecode, valid whatever the files' times.
        subprocess.run(  # noqa: S603 - our own interpreter and package
            [
                sys.executable,
                "-m",
                "comments.policy.compiled_patterns",
                str(layer / "comments" / "policy" / "data" / "patterns.marshal"),
            ],
            check=True,
            cwd=LAYER_SOURCE,
            env={"PYTHONPATH": str(LAYER_SOURCE), "PATH": "/usr/bin:/bin"},
        )
        subprocess.run(  # noqa: S603 - our own interpreter and the stdlib's compileall
            [
                sys.executable,
                "-m",
                "compileall",
                "-q",
                "-j",
                "0",
                "--invalidation-mode",
                "unchecked-hash",
                str(layer),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return LambdaImage(root=root, runtime=runtime, layer=layer, precompiled=precompiled)
