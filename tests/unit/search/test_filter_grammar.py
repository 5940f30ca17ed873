"""The FHIR ``_filter`` parser: the ROR documentation's examples, the grammar, the errors, and
random input (never anything but a tree or a ``FilterSyntaxError``)."""

from __future__ import annotations

import dataclasses
import pickle
import random
import string

import pytest

from openror.search.filter_grammar import (
    And,
    Comparison,
    Filter,
    FilterSyntaxError,
    Not,
    Or,
    parse_filter,
)

OPERATORS = ("eq", "ne", "co", "sw", "ew", "gt", "lt", "ge", "le", "ap", "sa", "eb", "pr", "po",
             "ss", "sb", "in", "ni", "re")
R211 = "https://mos.esante.gouv.fr/NOS/TRE_R211-ActiviteOperationnelle/FHIR/" \
       "TRE-R211-ActiviteOperationnelle"
UCUM_35 = "35|http://unitsofmeasure.org|a"


def cmp(path: str, op: str, value: str) -> Comparison:
    return Comparison(tuple(path.split(".")), op, value)


# -- the examples of the ROR developer documentation

ROR_EXAMPLES: list[tuple[str, Filter]] = [
    ("(_lastUpdated ge 2022-11-06T15:00 or organization._lastUpdated:above ge 2022-11-06T15:00)",
     Or((cmp("_lastUpdated", "ge", "2022-11-06T15:00"),
         cmp("organization._lastUpdated:above", "ge", "2022-11-06T15:00")))),
    (f"(specialty eq {R211}|005 or {R211}|481)",
     Or((cmp("specialty", "eq", f"{R211}|005"), cmp("specialty", "eq", f"{R211}|481")))),
    ('(address-postalcode eq "22" or "29")',
     Or((cmp("address-postalcode", "eq", "22"), cmp("address-postalcode", "eq", "29")))),
    ("(_content=cardio or location._content=cardio)",
     Or((cmp("_content", "eq", "cardio"), cmp("location._content", "eq", "cardio")))),
    ("((service-category eq C|102) or (specialty eq S|233)) and "
     f"(age-range-low le {UCUM_35} and age-range-high ge {UCUM_35})",
     And((Or((cmp("service-category", "eq", "C|102"), cmp("specialty", "eq", "S|233"))),
          cmp("age-range-low", "le", UCUM_35), cmp("age-range-high", "ge", UCUM_35)))),
    ('name co "saint \\"x\\""', cmp("name", "co", 'saint "x"')),
    ("not (status eq active)", Not(cmp("status", "eq", "active"))),
    ("identifier pr true", cmp("identifier", "pr", "true")),
    ("specialty eq S|005 or S|481", Or((cmp("specialty", "eq", "S|005"),
                                        cmp("specialty", "eq", "S|481")))),
    ("organization:above.identifier eq 750712184",
     cmp("organization:above.identifier", "eq", "750712184")),
]


@pytest.mark.parametrize(("text", "expected"), ROR_EXAMPLES)
def test_ror_examples(text: str, expected: Filter) -> None:
    assert parse_filter(text) == expected


# -- comparisons


@pytest.mark.parametrize("op", OPERATORS)
def test_every_operator_in_any_case(op: str) -> None:
    value = "true" if op == "pr" else "x"
    assert parse_filter(f"code {op} {value}") == cmp("code", op, value)
    assert parse_filter(f"code {op.upper()} {value}") == cmp("code", op, value)


@pytest.mark.parametrize("value", ["S|005", "2022-11-06T15:00", UCUM_35, "ge200", "a=b", "not",
                                   "é|ü", "http://x.org/a?b=c&d"])
def test_bare_values_are_single_tokens(value: str) -> None:
    assert parse_filter(f"p eq {value}") == cmp("p", "eq", value)


@pytest.mark.parametrize(("text", "value"), [
    ('p eq ""', ""),
    ('p eq "a (b) or c"', "a (b) or c"),
    ('p eq "back\\\\slash"', "back\\slash"),
    ('p eq "\\"\\\\\\""', '"\\"'),
    ('p eq "C:\\dir"', "C:\\dir"),  # an unknown escape is kept as written
    ('p eq "line\nbreak"', "line\nbreak"),
    ('p eq"glued"', "glued"),
    ('p eq "and"', "and"),
])
def test_quoted_values(text: str, value: str) -> None:
    assert parse_filter(text) == cmp("p", "eq", value)


@pytest.mark.parametrize("text", ["_content=cardio", "_content= cardio", "_content =cardio",
                                  "_content = cardio", '_content="cardio"', '_content = "cardio"'])
def test_equals_sign_means_eq(text: str) -> None:
    assert parse_filter(text) == cmp("_content", "eq", "cardio")


def test_equals_sign_keeps_the_rest_of_the_token() -> None:
    assert parse_filter("name=a=b") == cmp("name", "eq", "a=b")
    assert parse_filter('name="saint x"') == cmp("name", "eq", "saint x")


def test_pr_value_is_normalised() -> None:
    assert parse_filter("identifier pr FALSE") == cmp("identifier", "pr", "false")
    assert parse_filter('identifier PR "True"') == cmp("identifier", "pr", "true")


def test_paths_keep_their_modifiers() -> None:
    assert parse_filter("a:b.c-d.e_f:g eq 1") == Comparison(("a:b", "c-d", "e_f:g"), "eq", "1")


# -- logic


def test_and_binds_tighter_than_or() -> None:
    a, b, c, d = (cmp(name, "eq", "1") for name in "abcd")
    assert parse_filter("a eq 1 or b eq 1 and c eq 1") == Or((a, And((b, c))))
    assert parse_filter("a eq 1 and b eq 1 or c eq 1 and d eq 1") == Or((And((a, b)), And((c, d))))
    assert parse_filter("a eq 1 and (b eq 1 or c eq 1)") == And((a, Or((b, c))))


def test_same_kind_is_flattened() -> None:
    a, b, c, d = (cmp(name, "eq", "1") for name in "abcd")
    assert parse_filter("a eq 1 and b eq 1 and c eq 1") == And((a, b, c))
    assert parse_filter("(a eq 1 or b eq 1) or (c eq 1 or d eq 1)") == Or((a, b, c, d))
    assert parse_filter("a eq 1 and (b eq 1 and (c eq 1 and d eq 1))") == And((a, b, c, d))
    assert parse_filter("not (a eq 1 and b eq 1) and c eq 1") == And((Not(And((a, b))), c))


def test_keywords_in_any_case_and_glued_parentheses() -> None:
    a, b = cmp("a", "eq", "1"), cmp("b", "eq", "2")
    assert parse_filter("NOT(a eq 1) AND (b eq 2) Or(a eq 1)") == Or((And((Not(a), b)), a))
    assert parse_filter("\t(a\neq 1)or(b eq 2)  ") == Or((a, b))


def test_redundant_parentheses_vanish() -> None:
    assert parse_filter("((((a eq 1))))") == cmp("a", "eq", "1")
    assert parse_filter("not ((not ((a eq 1))))") == Not(Not(cmp("a", "eq", "1")))


def test_deep_nesting_up_to_the_limit() -> None:
    assert parse_filter("(" * 100 + "a eq 1" + ")" * 100) == cmp("a", "eq", "1")
    nots = parse_filter("not (" * 100 + "a eq 1" + ")" * 100)
    for _ in range(100):
        assert isinstance(nots, Not)
        nots = nots.item
    with pytest.raises(FilterSyntaxError, match="nested more than 100") as error:
        parse_filter("(" * 101 + "a eq 1" + ")" * 101)
    assert error.value.position == 100
    with pytest.raises(FilterSyntaxError, match="nested more than 100"):
        parse_filter("(" * 10_000)


def test_long_flat_chains() -> None:
    text = " or ".join(f"p eq {i}" for i in range(5_000))
    result = parse_filter(text)
    assert isinstance(result, Or)
    assert len(result.items) == 5_000


# -- the continued-value shorthand


def test_continued_values_with_and_and_or() -> None:
    s = [cmp("specialty", "eq", v) for v in ("S|005", "S|481", "S|233")]
    assert parse_filter("specialty eq S|005 or S|481 or S|233") == Or(tuple(s))
    assert parse_filter("specialty eq S|005 and S|481") == And((s[0], s[1]))
    assert parse_filter("specialty eq S|005 or S|481 and S|233") == Or((s[0], And((s[1], s[2]))))


def test_a_path_followed_by_an_operator_is_a_new_comparison() -> None:
    assert parse_filter("name eq a or b eq c") == Or((cmp("name", "eq", "a"), cmp("b", "eq", "c")))
    assert parse_filter("name eq a or b EQ c") == Or((cmp("name", "eq", "a"), cmp("b", "eq", "c")))
    assert parse_filter("name eq a or b=c") == Or((cmp("name", "eq", "a"), cmp("b", "eq", "c")))
    assert parse_filter("name eq a or b = c") == Or((cmp("name", "eq", "a"), cmp("b", "eq", "c")))


def test_anything_else_is_a_continued_value() -> None:
    name = [cmp("name", "sw", v) for v in ("a", "b", "=c", "d e")]
    assert parse_filter("name sw a or b") == Or((name[0], name[1]))
    assert parse_filter("name sw a or b and x eq 1") == Or((name[0], And((name[1],
                                                                          cmp("x", "eq", "1")))))
    assert parse_filter("name sw a or =c") == Or((name[0], name[2]))
    assert parse_filter('name sw a or "d e"') == Or((name[0], name[3]))


def test_continuation_follows_the_last_comparison() -> None:
    assert parse_filter("a eq 1 and b ge 2 or 3") == Or((And((cmp("a", "eq", "1"),
                                                              cmp("b", "ge", "2"))),
                                                         cmp("b", "ge", "3")))
    assert parse_filter("(a eq 1 or 2) and b eq 3") == And((Or((cmp("a", "eq", "1"),
                                                                cmp("a", "eq", "2"))),
                                                           cmp("b", "eq", "3")))


@pytest.mark.parametrize("text", ["(a eq 1) or 2", "a eq 1 or (2)", "not (a eq 1) or 2"])
def test_continuation_does_not_cross_parentheses(text: str) -> None:
    with pytest.raises(FilterSyntaxError, match="expected an operator"):
        parse_filter(text)


def test_continuation_of_pr_is_checked() -> None:
    assert parse_filter("x pr true or FALSE") == Or((cmp("x", "pr", "true"),
                                                     cmp("x", "pr", "false")))
    with pytest.raises(FilterSyntaxError, match="true or false"):
        parse_filter("x pr true or maybe")


# -- errors


@pytest.mark.parametrize(("text", "position", "message"), [
    ("", 0, "expected a filter expression, found an empty filter"),
    ("   ", 0, "expected a filter expression"),
    ("specialty S|005", 10,
     "expected an operator (eq, ne, co, ...) after 'specialty', found 'S|005'"),
    ("specialty", 9, "expected an operator (eq, ne, co, ...) after 'specialty', found the end"),
    ('name "x"', 5, "expected an operator"),
    ("name xx 1", 5, "unknown operator 'xx' after 'name' (expected one of eq, ne, co, sw"),
    ("name EX 1", 5, "unknown operator 'EX' after 'name'"),
    ("name or b eq 1", 5, "expected an operator (eq, ne, co, ...) after 'name', found 'or'"),
    ("name eq", 7, "expected a value after 'eq', found the end of the filter"),
    ("(name eq)", 8, "expected a value after 'eq', found ')'"),
    ("name eq and b eq 1", 8, "expected a value after 'eq', found 'and'"),
    ("name=", 5, "expected a value after 'name=', found the end"),
    ("name eq (x)", 8, "expected a value after 'eq', found '('"),
    ("(a eq 1", 7, "expected 'and', 'or' or ')' to close the '(' at position 0, found the end"),
    ("((a eq 1) or b eq 2", 19, "to close the '(' at position 0"),
    ("(a eq 1 b)", 8, "expected 'and', 'or' or ')' to close the '(' at position 0, found 'b'"),
    ("a eq 1)", 6, "found ')' with no matching '('"),
    ("a eq 1 b", 7, "expected 'and', 'or' or the end of the filter, found 'b'"),
    ('a eq 1 "b"', 7, "expected 'and', 'or' or the end of the filter, found '\"b\"'"),
    ("a eq x(y)", 6, "expected 'and', 'or' or the end of the filter, found '('"),
    ('name co "saint', 8, "unterminated string"),
    ('name co "saint\\"', 8, "unterminated string"),
    ('name co a"b', 9, "unterminated string"),
    ("()", 1, "expected a comparison, '(' or 'not' after '(', found ')'"),
    (")", 0, "expected a comparison, '(' or 'not', found ')'"),
    ("a eq 1 or", 9, "expected a comparison, '(' or 'not' after 'or', found the end"),
    ("a eq 1 and or b eq 2", 11, "expected a comparison or a value after 'and', found 'or'"),
    ("not a eq 1", 4, "expected '(' after 'not', found 'a'"),
    ("not", 3, "expected '(' after 'not', found the end"),
    ("a eq 1 or not", 13, "expected '(' after 'not'"),
    ("x|y eq 1", 0, "expected a parameter name"),
    ('"name" eq 1', 0, "expected a parameter name"),
    ("a..b eq 1", 0, "expected a parameter name"),
    ("a:b:c eq 1", 0, "expected a parameter name"),
    ("=x", 0, "expected a parameter name"),
    ("related[type eq x].target pr true", 0, "expected a parameter name"),
    ("identifier pr yes", 14, "expected true or false after 'pr', found 'yes'"),
])
def test_errors(text: str, position: int, message: str) -> None:
    with pytest.raises(FilterSyntaxError) as error:
        parse_filter(text)
    assert error.value.position == position
    assert message in str(error.value)
    assert str(error.value).endswith(f" at position {position}")


def test_error_type() -> None:
    error = FilterSyntaxError("expected x", 3)
    assert isinstance(error, ValueError)
    assert (error.message, error.position) == ("expected x", 3)
    assert str(error) == "expected x at position 3"
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.message, copy.position) == ("expected x", 3)


def test_long_tokens_are_shortened_in_messages() -> None:
    with pytest.raises(FilterSyntaxError) as error:
        parse_filter("a eq 1 " + "x" * 500)
    assert len(str(error.value)) < 150


def test_nodes_are_frozen_and_hashable() -> None:
    node = parse_filter("a eq 1 and not (b eq 2)")
    assert hash(node) == hash(parse_filter("a eq 1 AND NOT (b EQ 2)"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        node.items = ()  # type: ignore[misc,union-attr]


# -- random input

FRAGMENTS = ["a", "b.c", "x:above", "eq", "EQ", "pr", "true", "co", "xx", "or", "and", "not",
             "(", ")", '"', '\\"', "\\", "=", ".", ":", "|", "S|005", "_content", "-", "é", "\t",
             "\n", "1", "2022-11-06T15:00", '"v w"', "[", "]", "\x00"]


def check_total(text: str) -> None:
    """A tree or a FilterSyntaxError with a position inside the text, nothing else."""
    try:
        result = parse_filter(text)
    except FilterSyntaxError as error:
        assert 0 <= error.position <= len(text), (text, error)
        assert str(error)
    else:
        assert isinstance(result, Comparison | And | Or | Not)


def test_random_fragments_never_raise_anything_else() -> None:
    rng = random.Random(20221106)
    for _ in range(1_000):
        fragments = rng.choices(FRAGMENTS, k=rng.randint(0, 14))
        check_total("".join(fragment + rng.choice(["", " ", " "]) for fragment in fragments))


def test_random_characters_never_raise_anything_else() -> None:
    rng = random.Random(481)
    alphabet = string.printable + "éÀ€\u00a0\u2028"
    for _ in range(1_000):
        check_total("".join(rng.choices(alphabet, k=rng.randint(0, 40))))


def test_mutated_examples_never_raise_anything_else() -> None:
    rng = random.Random(5)
    for _ in range(1_000):
        text, _tree = rng.choice(ROR_EXAMPLES)
        for _edit in range(rng.randint(1, 3)):
            at = rng.randrange(len(text) + 1)
            if rng.random() < 0.5:
                text = text[:at] + text[at + 1:]
            else:
                text = text[:at] + rng.choice('() "\\=|.:') + text[at:]
        check_total(text)


PATHS = ["specialty", "address-postalcode", "organization._lastUpdated:above", "_content",
         "location.address-city", "identifier:of-type"]


def random_tree(rng: random.Random, depth: int) -> Filter:
    kind = rng.choice(["cmp", "cmp", "and", "or", "not"] if depth else ["cmp"])
    if kind == "not":
        return Not(random_tree(rng, depth - 1))
    if kind in ("and", "or"):
        node = And if kind == "and" else Or
        items: list[Filter] = []
        for _ in range(rng.randint(2, 4)):
            item = random_tree(rng, depth - 1)
            items.extend(item.items if isinstance(item, node) else (item,))
        return node(tuple(items))
    op = rng.choice(OPERATORS)
    value = rng.choice(["true", "false"]) if op == "pr" else "".join(
        rng.choices('ab |()"\\=é\t', k=rng.randint(0, 8)))
    return Comparison(tuple(rng.choice(PATHS).split(".")), op, value)


def render(node: Filter) -> str:
    if isinstance(node, Comparison):
        quoted = node.value.replace("\\", "\\\\").replace('"', '\\"')
        return f'{".".join(node.path)} {node.op} "{quoted}"'
    if isinstance(node, Not):
        return f"not ({render(node.item)})"
    joiner = " and " if isinstance(node, And) else " or "
    return joiner.join(render(item) if isinstance(item, Comparison | Not) else f"({render(item)})"
                       for item in node.items)


def test_random_trees_round_trip() -> None:
    rng = random.Random(1106)
    for _ in range(500):
        tree = random_tree(rng, 4)
        assert parse_filter(render(tree)) == tree
