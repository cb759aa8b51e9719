"""Hypothesis strategies for Cairn's filter language (docs: spec/filter.md), for the API fuzzer.

The OpenAPI document can only say "a string", and random strings stop at the parser's first column;
these expressions are well-formed, so they reach the compiler and the database behind it.
"""

from __future__ import annotations

from hypothesis import strategies as st

KEYWORDS = {"and", "or", "in", "like", "is", "null", "not", "true", "false"}
# File attributes, chunk attributes (refused in GET /files) and metadata keys the seeded files may have.
KNOWN_NAMES = ["id", "filename", "bytes", "created_at", "purpose", "status", "user_id", "page", "modality", "author", "year", "tags", "topic"]
OPERATORS = ["=", "==", "!=", "<>", "<", "<=", ">", ">="]


def _not_keyword(name: str) -> bool:
    return name.lower() not in KEYWORDS


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _join(parts) -> str:
    return "".join(parts)


def _spaced(parts) -> str:
    return " ".join(parts)


def _index(n: int) -> str:
    return f"[{n}]"


def _dotted(name: str) -> str:
    return f".{name}"


def _parenthesized(expression: str) -> str:
    return f"({expression})"


def _negated(expression: str) -> str:
    return f"not {expression}"


def _listed(values) -> str:
    return "[" + ", ".join(values) + "]"


def _number(value) -> str:
    return repr(value) if isinstance(value, int) else f"{value:.6g}".replace("inf", "1e308")


names = st.one_of(st.sampled_from(KNOWN_NAMES), st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True).filter(_not_keyword))
# Mostly names the seeded files have, so conditions are evaluated against real rows, not only parsed.
known_paths = st.tuples(st.sampled_from(["", "metadata."]), st.sampled_from(KNOWN_NAMES)).map(_join)
paths = st.one_of(
    known_paths,
    st.tuples(
        st.sampled_from(["", "metadata."]),
        names,
        st.lists(st.one_of(names.map(_dotted), st.integers(0, 3).map(_index)), max_size=2).map(_join),
    ).map(_join),
)
# Strings of every length and alphabet: long `like` patterns and odd characters are the point.
long_strings = st.text(min_size=40, max_size=300).map(_quote)
strings = st.one_of(
    st.text(max_size=12).map(_quote),
    long_strings,
    st.sampled_from(["hegel", "%e%", "2024-01-01", "2024-01-01T10:00:00Z", "not a date", "%", "_", "\\%"]).map(_quote),
)
numbers = st.one_of(st.integers(-(2**63), 2**63), st.floats(allow_nan=False, allow_infinity=False)).map(_number)
values = st.one_of(strings, numbers, st.sampled_from(["true", "false", "null"]))
conditions = st.one_of(
    st.tuples(paths, st.sampled_from(OPERATORS), values).map(_spaced),
    st.tuples(paths, st.sampled_from(["in", "not in"]), st.lists(values, max_size=5).map(_listed)).map(_spaced),
    st.tuples(paths, st.sampled_from(["like", "not like"]), strings).map(_spaced),
    st.tuples(paths, st.sampled_from(["is null", "is not null"])).map(_spaced),
    # Long patterns on names that exist: where the database's own limits on LIKE are.
    st.tuples(known_paths, st.sampled_from(["like", "not like"]), long_strings).map(_spaced),
)


def _combined(children):
    return st.one_of(
        st.tuples(children, st.sampled_from(["and", "or", "AND", "Or"]), children).map(_spaced),
        children.map(_negated),
        children.map(_parenthesized),
    )


# Few conditions each: every one has its own ways to be refused (422), and one refusal stops the query short of SQL.
expressions = st.recursive(conditions, _combined, max_leaves=4)
