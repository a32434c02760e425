"""Route templates matched the way the Functions host (ASP.NET Core routing) matches them."""

from __future__ import annotations

import pytest

from devhost.routes import RouteTemplateError, parse_template, split_path


def match(template: str, path: str) -> dict[str, str] | None:
    return parse_template(template).match(split_path(path))


def test_literal_segments_match_case_insensitively() -> None:
    assert match("databricks/access-requests", "/Databricks/ACCESS-requests") == {}
    assert match("databricks/access-requests", "/databricks/access-requests/") == {}
    assert match("databricks/access-requests", "/databricks") is None
    assert match("databricks/access-requests", "/databricks/access-requests/x") is None


def test_parameters_take_one_decoded_segment() -> None:
    assert match("{platform}/jobs", "/palantir/jobs") == {"platform": "palantir"}
    # an encoded slash stays inside its segment, as in ASP.NET Core
    assert match("files/{name}", "/files/a%2Fb") == {"name": "a/b"}
    assert match("files/{name}", "/files/caf%C3%A9") == {"name": "café"}


@pytest.mark.parametrize(
    ("template", "good", "bad"),
    [
        ("n/{id:int}", "/n/-42", "/n/4.2"),
        ("n/{id:int}", "/n/2147483647", "/n/2147483648"),
        ("n/{id:long}", "/n/2147483648", "/n/x"),
        ("n/{id:guid}", "/n/0f8fad5b-d9cb-469f-a165-70867728950e", "/n/not-a-guid"),
        ("n/{id:bool}", "/n/True", "/n/yes"),
        ("n/{id:alpha}", "/n/abcXYZ", "/n/abc1"),
        ("n/{id:double}", "/n/1.5e3", "/n/1.5.3"),
        ("n/{id:minlength(3)}", "/n/abc", "/n/ab"),
        ("n/{id:length(2,3)}", "/n/ab", "/n/abcd"),
        ("n/{id:range(1,10)}", "/n/10", "/n/11"),
        ("n/{id:int:min(1)}", "/n/1", "/n/0"),
        ("n/{id:regex(^\\d{{3}}$)}", "/n/123", "/n/1234"),
    ],
)
def test_constraints_decide_whether_a_value_matches(template: str, good: str, bad: str) -> None:
    assert match(template, good) is not None
    assert match(template, bad) is None


def test_optional_and_default_parameters_may_be_left_out_at_the_end() -> None:
    assert match("items/{id?}", "/items") == {}
    assert match("items/{id?}", "/items/7") == {"id": "7"}
    assert match("items/{id:int?}", "/items/x") is None
    assert match("items/{page=1}", "/items") == {"page": "1"}
    assert match("items/{page=1}", "/items/3") == {"page": "3"}


def test_catch_all_takes_the_rest_of_the_path() -> None:
    assert match("proxy/{*rest}", "/proxy/a/b/c") == {"rest": "a/b/c"}
    assert match("proxy/{*rest}", "/proxy") == {}
    assert match("{*route}", "/anything/at/all") == {"route": "anything/at/all"}


def test_complex_segments_split_on_their_literals() -> None:
    assert match("files/{name}.{ext}", "/files/report.final.pdf") == {"name": "report.final", "ext": "pdf"}
    assert match("files/{name}.{ext?}", "/files/README") == {"name": "README"}


def test_more_specific_templates_take_precedence() -> None:
    # given a literal, a constrained and a plain parameter in the same position
    literal = parse_template("items/special")
    constrained = parse_template("items/{id:int}")
    plain = parse_template("items/{id}")
    catch_all = parse_template("items/{*rest}")
    # then the literal sorts first and the catch-all last
    ordered = sorted([catch_all, plain, constrained, literal], key=lambda t: t.precedence)
    assert ordered == [literal, constrained, plain, catch_all]


@pytest.mark.parametrize(
    "template",
    ["a//b", "a/{id", "a/{id}}x}", "{a?}/b", "{*rest}/b", "{a}{b}", "a/{x:unknown}", "a/{x}/{X}", "a/{1x}"],
)
def test_templates_the_functions_host_would_reject_are_rejected(template: str) -> None:
    with pytest.raises(RouteTemplateError):
        parse_template(template)
