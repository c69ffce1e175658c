"""Read template.yaml: the local stack takes its resources, routes, environment and CORS from
the same definitions CloudFormation deploys, so the two cannot drift."""

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"


class _CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short forms (!Ref, !GetAtt, !Sub, ...) as their long forms."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_CfnLoader.add_multi_constructor("!", _tag)


@cache
def load(path: Path = TEMPLATE) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass with CFN tags


def resources(kind: str, path: Path = TEMPLATE) -> dict[str, dict[str, Any]]:
    return {name: res for name, res in load(path)["Resources"].items() if res["Type"] == kind}


def parameter_defaults(path: Path = TEMPLATE) -> dict[str, Any]:
    return {name: p.get("Default") for name, p in load(path).get("Parameters", {}).items()}


NO_VALUE = object()  # AWS::NoValue: the property or list item is left out


@dataclass
class Resolver:
    """Evaluates the intrinsic functions the template uses, against the local stack."""

    refs: dict[str, Any]  # logical id or parameter name -> what !Ref gives
    attrs: dict[tuple[str, str], Any] = field(default_factory=dict)  # (logical id, attribute) -> value
    conditions: dict[str, Any] = field(default_factory=lambda: load().get("Conditions", {}))

    def condition(self, name: str) -> bool:
        return bool(self._truth(self.conditions[name]))

    def _truth(self, value: Any) -> Any:
        ((key, arg),) = value.items()
        if key == "Fn::Equals":
            return str(self(arg[0])) == str(self(arg[1]))
        if key == "Fn::Not":
            return not self._truth(arg[0])
        if key == "Fn::And":
            return all(self._truth(a) for a in arg)
        if key == "Fn::Or":
            return any(self._truth(a) for a in arg)
        if key == "Condition":
            return self.condition(arg)
        raise ValueError(f"unsupported condition {key}")

    def __call__(self, value: Any) -> Any:
        resolved = self._resolve(value)
        return None if resolved is NO_VALUE else resolved

    def _resolve(self, value: Any) -> Any:
        if isinstance(value, dict) and len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref" and arg == "AWS::NoValue":
                return NO_VALUE
            if key == "Fn::If":
                return self._resolve(arg[1] if self.condition(arg[0]) else arg[2])
            if key == "Ref":
                return self.refs[arg]
            if key == "Fn::GetAtt":
                return self.attrs[(arg[0], arg[1])]
            if key == "Fn::Sub":
                return self._sub(arg)
            if key == "Fn::Join":
                items = self(arg[1])
                if isinstance(items, str):  # a CommaDelimitedList parameter, given as its text
                    items = items.split(",")
                return str(arg[0]).join(str(v) for v in (items if isinstance(items, list) else [items]))
            if key == "Fn::Split":
                return str(self(arg[1])).split(str(arg[0]))
        if isinstance(value, dict):
            out = {k: self._resolve(v) for k, v in value.items()}
            return {k: v for k, v in out.items() if v is not NO_VALUE}
        if isinstance(value, list):
            return [v for v in (self._resolve(x) for x in value) if v is not NO_VALUE]
        return value

    def _sub(self, arg: Any) -> str:
        text, extra = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])

        def repl(m: re.Match[str]) -> str:
            name = m.group(1)
            if name in extra:
                return str(self(extra[name]))
            if "." in name:
                res, att = name.split(".", 1)
                return str(self.attrs[(res, att)])
            return str(self.refs[name])

        return re.sub(r"\$\{([^}!]+)\}", repl, text)


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # as in the template: /articles/{articleId}/comments
    function: str  # logical id
    authorizer: str | None = None

    @property
    def route_key(self) -> str:
        return f"{self.method} {self.path}"

    def pattern(self) -> re.Pattern[str]:
        parts = []
        for segment in self.path.split("/"):
            param = re.fullmatch(r"\{(\w+)(\+?)\}", segment)
            if param:
                parts.append(f"(?P<{param.group(1)}>{'.+' if param.group(2) else '[^/]+'})")
            else:
                parts.append(re.escape(segment))
        return re.compile("^" + "/".join(parts) + "$")


def http_routes(path: Path = TEMPLATE) -> list[Route]:
    routes = []
    for name, fn in resources("AWS::Serverless::Function", path).items():
        for event in (fn["Properties"].get("Events") or {}).values():
            if event["Type"] != "HttpApi":
                continue
            props = event["Properties"]
            auth = (props.get("Auth") or {}).get("Authorizer")
            routes.append(Route(props["Method"].upper(), props["Path"], name, auth))
    # Literal segments win over parameters, as in API Gateway: most specific first.
    routes.sort(key=lambda r: (r.path.count("{"), -len(r.path)))
    return routes


def function_environment(name: str, resolve: Resolver, path: Path = TEMPLATE) -> dict[str, str]:
    doc = load(path)
    glob = doc.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    own = resources("AWS::Serverless::Function", path)[name]["Properties"].get("Environment", {})
    merged = resolve({**glob, **own.get("Variables", {})})
    return {k: str(v) for k, v in merged.items()}


def function_code(name: str, path: Path = TEMPLATE) -> tuple[Path, str]:
    props = resources("AWS::Serverless::Function", path)[name]["Properties"]
    module, func = props["Handler"].rsplit(".", 1)
    return ROOT / props["CodeUri"] / f"{module}.py", func
