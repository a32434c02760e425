"""Azure Functions (ASP.NET Core) route templates: parsing, matching and ordering.

The Functions host routes HTTP triggers with ASP.NET Core route templates, so
the same template must match the same URLs here: literal segments compare
case-insensitively, `{name}` takes one path segment, `{name:constraint...}`
checks the value, `{name?}` and `{name=default}` may be left out at the end,
and `{*name}` / `{**name}` take the rest of the path.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import unquote

__all__ = ["RouteTemplate", "RouteTemplateError", "parse_template", "split_path"]

_INT32 = (-(2**31), 2**31 - 1)
_INT64 = (-(2**63), 2**63 - 1)
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)")
_FLOAT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_ALPHA = re.compile(r"[A-Za-z]+")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class RouteTemplateError(ValueError):
    """A route template the host cannot serve (the Functions host would reject it too)."""


Check = Callable[[str], bool]


@dataclass(frozen=True)
class Param:
    name: str
    checks: tuple[Check, ...] = ()
    constraint_text: str = ""
    optional: bool = False
    default: str | None = None
    catch_all: bool = False

    def accepts(self, value: str) -> bool:
        return all(check(value) for check in self.checks)


@dataclass(frozen=True)
class Literal:
    text: str


Part = Param | Literal


@dataclass(frozen=True)
class Segment:
    parts: tuple[Part, ...]
    # Only for complex segments such as `{name}.{ext}`; simple ones compare directly.
    pattern: re.Pattern[str] | None = None

    @property
    def single_param(self) -> Param | None:
        if len(self.parts) == 1 and isinstance(self.parts[0], Param):
            return self.parts[0]
        return None

    @property
    def precedence(self) -> int:
        # ASP.NET Core's inbound precedence digits: lower wins among matches.
        param = self.single_param
        if param is None:
            return 1 if len(self.parts) == 1 else 2
        if param.catch_all:
            return 5
        return 3 if param.checks else 4


@dataclass(frozen=True)
class RouteTemplate:
    """One parsed template; `match` takes the decoded path segments after the prefix."""

    text: str
    segments: tuple[Segment, ...]
    param_names: tuple[str, ...] = field(default=())

    @property
    def precedence(self) -> tuple[int, ...]:
        return tuple(segment.precedence for segment in self.segments)

    def match(self, path: Sequence[str]) -> dict[str, str] | None:
        values: dict[str, str] = {}
        for index, segment in enumerate(self.segments):
            param = segment.single_param
            if param is not None and param.catch_all:
                rest = "/".join(path[index:])
                if rest:
                    if not param.accepts(rest):
                        return None
                    values[param.name] = rest
                elif param.default is not None:
                    values[param.name] = param.default
                return values
            if index >= len(path):
                # Only trailing optional (or defaulted) parameters may be left out.
                if param is None or not (param.optional or param.default is not None):
                    return None
                if param.default is not None:
                    values[param.name] = param.default
                continue
            if not _match_segment(segment, path[index], values):
                return None
        if len(path) > len(self.segments):
            return None
        return values


def _match_segment(segment: Segment, value: str, values: dict[str, str]) -> bool:
    if segment.pattern is None:
        part = segment.parts[0]
        if isinstance(part, Literal):
            return part.text.casefold() == value.casefold()
        if not value or not part.accepts(value):
            return False
        values[part.name] = value
        return True
    found = segment.pattern.fullmatch(value)
    if found is None:
        return False
    captured: dict[str, str] = {}
    for part in segment.parts:
        if isinstance(part, Param):
            got = found.group(part.name)
            if got is None:
                if part.default is not None:
                    captured[part.name] = part.default
                continue
            if not part.accepts(got):
                return False
            captured[part.name] = got
    values.update(captured)
    return True


def split_path(raw_path: str) -> list[str]:
    """Split a raw (still percent-encoded) URL path into decoded segments.

    Decoding per segment keeps an encoded slash (%2F) inside its segment, as
    ASP.NET Core does; one trailing slash is ignored.
    """
    trimmed = raw_path.lstrip("/")
    if trimmed.endswith("/"):
        trimmed = trimmed[:-1]
    if not trimmed:
        return []
    return [unquote(piece) for piece in trimmed.split("/")]


def parse_template(text: str) -> RouteTemplate:
    """Parse an ASP.NET Core route template (without the host's route prefix)."""
    cleaned = text.strip().lstrip("~").strip("/")
    raw_segments = _split_template(cleaned) if cleaned else []
    segments: list[Segment] = []
    names: list[str] = []
    for position, raw in enumerate(raw_segments):
        parts = _parse_segment(raw, text)
        for part in parts:
            if isinstance(part, Param):
                if part.name.casefold() in (n.casefold() for n in names):
                    raise RouteTemplateError(f"route '{text}': parameter '{part.name}' appears twice")
                names.append(part.name)
                last = position == len(raw_segments) - 1
                if part.catch_all and not (last and len(parts) == 1):
                    raise RouteTemplateError(
                        f"route '{text}': catch-all '{{*{part.name}}}' must be the whole last segment"
                    )
        segments.append(_build_segment(parts, text))
    _check_optional_tail(segments, text)
    return RouteTemplate(text=text, segments=tuple(segments), param_names=tuple(names))


def _check_optional_tail(segments: Sequence[Segment], text: str) -> None:
    seen_optional = False
    for segment in segments:
        param = segment.single_param
        optional = param is not None and (param.optional or param.default is not None or param.catch_all)
        if seen_optional and not optional:
            raise RouteTemplateError(f"route '{text}': an optional parameter may only be followed by optional ones")
        seen_optional = seen_optional or optional
        if param is None:
            for part in segment.parts[:-1]:
                if isinstance(part, Param) and part.optional:
                    raise RouteTemplateError(f"route '{text}': an optional parameter must end its segment")


def _split_template(text: str) -> list[str]:
    # Split on '/' outside braces so regex constraints may contain slashes.
    segments: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(0, depth - 1)
        if char == "/" and depth == 0:
            segments.append("".join(current))
            current = []
        else:
            current.append(char)
    segments.append("".join(current))
    if any(not segment for segment in segments):
        raise RouteTemplateError(f"route '{text}' has an empty segment")
    return segments


def _parse_segment(raw: str, template: str) -> tuple[Part, ...]:
    parts: list[Part] = []
    literal: list[str] = []
    index = 0
    while index < len(raw):
        char = raw[index]
        if char in "{}" and raw[index : index + 2] in ("{{", "}}"):
            literal.append(char)
            index += 2
            continue
        if char == "}":
            raise RouteTemplateError(f"route '{template}': unmatched '}}'")
        if char != "{":
            literal.append(char)
            index += 1
            continue
        body, index = _read_parameter(raw, index + 1, template)
        if literal:
            parts.append(Literal("".join(literal)))
            literal = []
        if parts and isinstance(parts[-1], Param):
            raise RouteTemplateError(f"route '{template}': two parameters need a literal between them")
        parts.append(_parse_parameter(body, template))
    if literal:
        parts.append(Literal("".join(literal)))
    return tuple(parts)


def _read_parameter(raw: str, index: int, template: str) -> tuple[str, int]:
    body: list[str] = []
    depth = 0
    while index < len(raw):
        char = raw[index]
        pair = raw[index : index + 2]
        if pair in ("{{", "}}"):
            body.append(char)
            index += 2
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif char == "}" and depth == 0:
            return "".join(body), index + 1
        elif char == "{" and depth == 0:
            raise RouteTemplateError(f"route '{template}': '{{' inside a parameter")
        body.append(char)
        index += 1
    raise RouteTemplateError(f"route '{template}': unclosed '{{'")


def _parse_parameter(body: str, template: str) -> Param:
    catch_all = False
    if body.startswith("**"):
        catch_all, body = True, body[2:]
    elif body.startswith("*"):
        catch_all, body = True, body[1:]
    name_match = _NAME.match(body)
    if name_match is None:
        raise RouteTemplateError(f"route '{template}': bad parameter '{{{body}}}'")
    name = name_match.group(0)
    rest = body[name_match.end() :]
    checks: list[Check] = []
    constraint_texts: list[str] = []
    while rest.startswith(":"):
        constraint, rest = _take_constraint(rest[1:], template)
        checks.append(_constraint_check(constraint, template))
        constraint_texts.append(constraint)
    optional = False
    default: str | None = None
    if rest == "?":
        optional = True
    elif rest.startswith("="):
        default = rest[1:]
    elif rest:
        raise RouteTemplateError(f"route '{template}': cannot read '{rest}' in parameter '{name}'")
    if catch_all and optional:
        raise RouteTemplateError(f"route '{template}': a catch-all parameter is already optional")
    return Param(
        name=name,
        checks=tuple(checks),
        constraint_text=":".join(constraint_texts),
        optional=optional,
        default=default,
        catch_all=catch_all,
    )


def _take_constraint(text: str, template: str) -> tuple[str, str]:
    depth = 0
    for index, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0 and char in ":?=":
            return text[:index], text[index:]
    if depth != 0:
        raise RouteTemplateError(f"route '{template}': unbalanced parentheses in a constraint")
    return text, ""


def _constraint_check(constraint: str, template: str) -> Check:
    name, _, args_text = constraint.partition("(")
    args: list[str] = []
    if args_text:
        if not args_text.endswith(")"):
            raise RouteTemplateError(f"route '{template}': bad constraint '{constraint}'")
        inner = args_text[:-1]
        args = [inner] if name.lower() == "regex" else [a.strip() for a in inner.split(",")]
    try:
        return _make_check(name.lower(), args)
    except (ValueError, re.error) as exc:
        raise RouteTemplateError(f"route '{template}': bad constraint '{constraint}': {exc}") from exc


def _int_in(bounds: tuple[int, int]) -> Check:
    def check(value: str) -> bool:
        return _INTEGER.fullmatch(value) is not None and bounds[0] <= int(value) <= bounds[1]

    return check


def _is_float(value: str) -> bool:
    return _FLOAT.fullmatch(value) is not None and math.isfinite(float(value))


def _is_guid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _is_datetime(value: str) -> bool:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _make_check(name: str, args: list[str]) -> Check:
    simple: dict[str, Check] = {
        "int": _int_in(_INT32),
        "long": _int_in(_INT64),
        "bool": lambda v: v.lower() in ("true", "false"),
        "decimal": lambda v: _DECIMAL.fullmatch(v) is not None,
        "double": _is_float,
        "float": _is_float,
        "guid": _is_guid,
        "datetime": _is_datetime,
        "alpha": lambda v: _ALPHA.fullmatch(v) is not None,
        "required": lambda v: v != "",
    }
    if name in simple:
        if args:
            raise ValueError(f"'{name}' takes no arguments")
        return simple[name]
    numbers = [int(arg) for arg in args] if name != "regex" else []
    if name == "minlength" and len(numbers) == 1:
        return lambda v: len(v) >= numbers[0]
    if name == "maxlength" and len(numbers) == 1:
        return lambda v: len(v) <= numbers[0]
    if name == "length" and len(numbers) == 1:
        return lambda v: len(v) == numbers[0]
    if name == "length" and len(numbers) == 2:
        return lambda v: numbers[0] <= len(v) <= numbers[1]
    if name == "min" and len(numbers) == 1:
        return lambda v: _INTEGER.fullmatch(v) is not None and int(v) >= numbers[0]
    if name == "max" and len(numbers) == 1:
        return lambda v: _INTEGER.fullmatch(v) is not None and int(v) <= numbers[0]
    if name == "range" and len(numbers) == 2:
        return lambda v: _INTEGER.fullmatch(v) is not None and numbers[0] <= int(v) <= numbers[1]
    if name == "regex" and len(args) == 1:
        # ASP.NET Core matches constraint regexes case-insensitively and unanchored.
        pattern = re.compile(args[0], re.IGNORECASE)
        return lambda v: pattern.search(v) is not None
    raise ValueError(f"unknown constraint or wrong arguments: {name}({', '.join(args)})")


def _build_segment(parts: tuple[Part, ...], template: str) -> Segment:
    if len(parts) == 1:
        return Segment(parts=parts)
    pieces: list[str] = []
    for index, part in enumerate(parts):
        if isinstance(part, Literal):
            next_part = parts[index + 1] if index + 1 < len(parts) else None
            if isinstance(next_part, Param) and next_part.optional and index + 1 == len(parts) - 1:
                # `{name}.{ext?}`: the separator goes away with the optional parameter.
                pieces.append(f"(?:{re.escape(part.text)}(?P<{next_part.name}>.+))?")
                break
            pieces.append(re.escape(part.text))
        else:
            pieces.append(f"(?P<{part.name}>.+)")
    try:
        pattern = re.compile("".join(pieces), re.IGNORECASE | re.DOTALL)
    except re.error as exc:
        raise RouteTemplateError(f"route '{template}': {exc}") from exc
    return Segment(parts=parts, pattern=pattern)
