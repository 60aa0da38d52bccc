"""ConditionExpression on PutItem, UpdateItem and DeleteItem.

DynamoDB behaviour checked:
- a write whose condition is false fails with ConditionalCheckFailedException "The conditional
  request failed" (HTTP 400) and changes nothing; a true condition lets the write through; the
  condition is evaluated against the item as it was before the write (an absent item has no
  attributes at all);
- comparators = <> < <= > >= on numbers (numerically), strings and binaries (unsigned bytes), and
  = / <> on every type (sets compare as sets, maps and lists element by element);
- a comparison between different types is false (<> is true), and so is any comparison with an
  absent attribute (again except <>, which is true);
- BETWEEN (inclusive bounds) and IN;
- NOT binds tighter than AND, AND tighter than OR; parentheses override; keywords are
  case-insensitive;
- the functions attribute_exists, attribute_not_exists, attribute_type (all ten type names),
  begins_with (S and B), contains (substring, set member, list element) and size (S, B, L, M, SS,
  NS, BS), on top-level and nested paths (m.b[1].c) and through ExpressionAttributeNames, where a
  #name standing for "a.b" names the top-level attribute "a.b", not a nested one;
- ReturnValuesOnConditionCheckFailure=ALL_OLD puts the old item into the error body as "Item";
  NONE (the default) or an absent item leaves it out. The botocore shipped with Debian does not know
  that parameter, so those requests go through the raw signed HTTP client.
"""

from decimal import Decimal

import pytest
from boto3.dynamodb.conditions import Attr
from botocore.exceptions import ClientError

from conftest import check_protocol_headers, create_table, unique_access_key

CONDITION_FAILED = ("ConditionalCheckFailedException", "The conditional request failed")

ITEM = {
    "pk": {"S": "x"},
    "s": {"S": "hello world"},
    "n": {"N": "10"},
    "neg": {"N": "-2.5"},
    "b": {"B": b"\x01\x02\x03"},
    "t": {"BOOL": True},
    "z": {"NULL": True},
    "l": {"L": [{"S": "a"}, {"N": "2"}, {"M": {"c": {"N": "5"}}}, {"L": [{"S": "x"}]}]},
    "m": {"M": {"b": {"L": [{"N": "1"}, {"M": {"c": {"S": "deep"}}}]}, "k": {"S": "v"}}},
    "ss": {"SS": ["apple", "banana"]},
    "ns": {"NS": ["1", "2", "3"]},
    "bs": {"BS": [b"\x01", b"\x02"]},
    "status": {"S": "active"},
    "a.b": {"S": "dotted"},
    "u": {"S": "\uff21"},
}
KEY = {"pk": {"S": "x"}}

# Shorthands for ExpressionAttributeValues.
S = lambda v: {"S": v}  # noqa: E731
N = lambda v: {"N": v}  # noqa: E731
B = lambda v: {"B": v}  # noqa: E731


@pytest.fixture
def table(client):
    create_table(client, "cond")
    client.put_item(TableName="cond", Item=ITEM)
    return "cond"


@pytest.fixture(scope="module")
def ro(server):
    """(client, table) of a namespace shared by this module's read-only tests: ITEM, loaded once."""
    client = server.client(unique_access_key())
    create_table(client, "cond")
    client.put_item(TableName="cond", Item=ITEM)
    return client, "cond"


def holds(client, table, condition, values=None, names=None):
    """Whether `condition` is true of ITEM: a PutItem of ITEM itself (so nothing changes) under the
    condition succeeds, or fails with ConditionalCheckFailedException."""
    kwargs = {}
    if values:
        kwargs["ExpressionAttributeValues"] = values
    if names:
        kwargs["ExpressionAttributeNames"] = names
    try:
        client.put_item(TableName=table, Item=ITEM, ConditionExpression=condition, **kwargs)
        return True
    except ClientError as e:
        err = e.response["Error"]
        assert (err["Code"], err["Message"]) == CONDITION_FAILED, e.response
        return False


def expect_condition_failed(call, **kwargs):
    with pytest.raises(ClientError) as e:
        call(**kwargs)
    err = e.value.response["Error"]
    assert (err["Code"], err["Message"]) == CONDITION_FAILED
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return e.value.response


# --------------------------------------------------------------------------------------------------
# The three writes.


def test_put_item_condition(client, table):
    new = dict(ITEM, n=N("11"))
    expect_condition_failed(client.put_item, TableName=table, Item=new,
                            ConditionExpression="n = :v", ExpressionAttributeValues={":v": N("9")})
    assert client.get_item(TableName=table, Key=KEY)["Item"] == ITEM
    client.put_item(TableName=table, Item=new, ConditionExpression="n = :v",
                    ExpressionAttributeValues={":v": N("10")})
    assert client.get_item(TableName=table, Key=KEY)["Item"] == new


def test_put_item_condition_on_absent_item(client, table):
    # An absent item has no attributes: attribute_not_exists is true, comparisons are false.
    item = {"pk": {"S": "new"}, "v": N("1")}
    expect_condition_failed(client.put_item, TableName=table, Item=item,
                            ConditionExpression="v = :v", ExpressionAttributeValues={":v": N("1")})
    expect_condition_failed(client.put_item, TableName=table, Item=item,
                            ConditionExpression="attribute_exists(pk)")
    assert "Item" not in client.get_item(TableName=table, Key={"pk": {"S": "new"}})
    client.put_item(TableName=table, Item=item,
                    ConditionExpression="attribute_not_exists(pk) AND attribute_not_exists(v)")
    assert client.get_item(TableName=table, Key={"pk": {"S": "new"}})["Item"] == item


def test_update_item_condition_sees_old_item(client, table):
    kwargs = dict(TableName=table, Key=KEY, UpdateExpression="SET n = n + :one",
                  ConditionExpression="n = :ten",
                  ExpressionAttributeValues={":one": N("1"), ":ten": N("10")})
    resp = client.update_item(ReturnValues="UPDATED_NEW", **kwargs)
    assert resp["Attributes"] == {"n": N("11")}
    expect_condition_failed(client.update_item, **kwargs)
    assert client.get_item(TableName=table, Key=KEY)["Item"]["n"] == N("11")


def test_update_item_condition_does_not_create_item(client, table):
    key = {"pk": {"S": "absent"}}
    expect_condition_failed(client.update_item, TableName=table, Key=key,
                            UpdateExpression="SET v = :v",
                            ConditionExpression="attribute_exists(pk)",
                            ExpressionAttributeValues={":v": N("1")})
    assert "Item" not in client.get_item(TableName=table, Key=key)


def test_delete_item_condition(client, table):
    expect_condition_failed(client.delete_item, TableName=table, Key=KEY,
                            ConditionExpression="s = :v", ExpressionAttributeValues={":v": S("no")})
    assert client.get_item(TableName=table, Key=KEY)["Item"] == ITEM
    resp = client.delete_item(TableName=table, Key=KEY, ConditionExpression="s = :v",
                              ExpressionAttributeValues={":v": S("hello world")},
                              ReturnValues="ALL_OLD")
    assert resp["Attributes"] == ITEM
    assert "Item" not in client.get_item(TableName=table, Key=KEY)
    # Deleting an absent item under a condition that needs the item fails too.
    expect_condition_failed(client.delete_item, TableName=table, Key=KEY,
                            ConditionExpression="attribute_exists(pk)")


def test_condition_on_key_attribute(ro):
    assert holds(*ro, "pk = :x", {":x": S("x")})
    assert not holds(*ro, "pk = :x", {":x": S("y")})


# --------------------------------------------------------------------------------------------------
# Comparators.


@pytest.mark.parametrize("condition,value,expected", [
    # Numbers compare numerically, whatever their spelling.
    ("n = :v", N("10"), True),
    ("n = :v", N("1E+1"), True),
    ("n = :v", N("10.000"), True),
    ("n = :v", N("9"), False),
    ("n <> :v", N("9"), True),
    ("n <> :v", N("10"), False),
    ("n < :v", N("11"), True),
    ("n < :v", N("10"), False),
    ("n < :v", N("9.99"), False),
    ("n <= :v", N("10"), True),
    ("n <= :v", N("9"), False),
    ("n > :v", N("9.99"), True),
    ("n > :v", N("10"), False),
    ("n > :v", N("-100"), True),
    ("n >= :v", N("10"), True),
    ("n >= :v", N("1E+2"), False),
    ("neg < :v", N("-2.4"), True),
    ("neg > :v", N("-3"), True),
    ("neg < :v", N("-2.5"), False),
    ("n < :v", N("9.9999999999999999999999999999999999999E+125"), True),
    ("n > :v", N("-9.9999999999999999999999999999999999999E+125"), True),
    ("n > :v", N("1E-130"), True),
    ("neg < :v", N("-1E-130"), True),
    ("n > :v", N("9.9999999999999999999999999999999999999"), True),
    ("n < :v", N("10.000000000000000000000000000000000001"), True),
    # Strings compare by UTF-8 bytes: upper case before lower case, a prefix first.
    ("s = :v", S("hello world"), True),
    ("s = :v", S("Hello world"), False),
    ("s > :v", S("hello"), True),
    ("s < :v", S("hello worlds"), True),
    ("s < :v", S("i"), True),
    ("s > :v", S("Z"), True),
    ("s < :v", S("\u00e9"), True),
    ("s >= :v", S("hello world"), True),
    ("s <= :v", S("hello"), False),
    # U+FF21 (EF BC A1) sorts before U+1F600 (F0 9F 98 80) in UTF-8, after it in UTF-16.
    ("u < :v", S("\U0001F600"), True),
    # Binaries compare as unsigned bytes.
    ("b = :v", B(b"\x01\x02\x03"), True),
    ("b < :v", B(b"\x80"), True),
    ("b > :v", B(b"\x01\x02"), True),
    ("b < :v", B(b"\x01\x02\x03"), False),
    ("b <= :v", B(b"\x01\x02\x03"), True),
    # Other types: equality only.
    ("t = :v", {"BOOL": True}, True),
    ("t = :v", {"BOOL": False}, False),
    ("t <> :v", {"BOOL": False}, True),
    ("z = :v", {"NULL": True}, True),
    ("ss = :v", {"SS": ["banana", "apple"]}, True),  # sets are unordered
    ("ss = :v", {"SS": ["apple"]}, False),
    ("ns = :v", {"NS": ["3", "2.0", "1"]}, True),
    ("bs = :v", {"BS": [b"\x02", b"\x01"]}, True),
    ("l[3] = :v", {"L": [{"S": "x"}]}, True),
    ("l[3] = :v", {"L": [{"S": "x"}, {"S": "y"}]}, False),
    ("m.b[1] = :v", {"M": {"c": {"S": "deep"}}}, True),
    ("m.b[1] = :v", {"M": {"c": {"S": "other"}}}, False),
    ("m.b[1] <> :v", {"M": {"c": {"S": "other"}}}, True),
])
def test_comparators(ro, condition, value, expected):
    assert holds(*ro, condition, {":v": value}) is expected


@pytest.mark.parametrize("condition,value,expected", [
    # A number and a string are never equal or ordered, whatever they spell.
    ("n = :v", S("10"), False),
    ("n <> :v", S("10"), True),
    ("n < :v", S("9"), False),
    ("n <= :v", S("9"), False),
    ("n > :v", S("9"), False),
    ("n >= :v", S("9"), False),
    ("s < :v", N("1"), False),
    ("s > :v", N("1"), False),
    ("b = :v", S("\x01\x02\x03"), False),
    ("b < :v", S("\x7f"), False),
    ("ns = :v", {"SS": ["1", "2", "3"]}, False),
    ("n = :v", {"NS": ["10"]}, False),
    ("t = :v", S("true"), False),
    ("z = :v", {"BOOL": False}, False),
    ("l = :v", {"M": {}}, False),
    # An absent attribute is not equal to, less or greater than anything; <> is true.
    ("nope = :v", N("1"), False),
    ("nope < :v", N("1"), False),
    ("nope >= :v", N("1"), False),
    ("nope <> :v", N("1"), True),
    ("m.nothere = :v", S("v"), False),
    ("l[9] = :v", S("a"), False),
    ("s.x = :v", S("hello world"), False),  # a path through a string finds nothing
])
def test_comparisons_across_types_and_absent(ro, condition, value, expected):
    assert holds(*ro, condition, {":v": value}) is expected


@pytest.mark.parametrize("condition,expected", [
    ("n = n", True),
    ("n > l[1]", True),       # 10 > 2
    ("l[1] < n", True),
    ("l[2].c = m.b[0]", False),  # 5 vs 1
    ("l[2].c > m.b[0]", True),
    ("s <> m.k", True),
    ("m.k = l[0]", False),    # "v" vs "a"
    ("n = s", False),         # number vs string
    ("n < s", False),
    ("n <> nope", True),
    ("nope = nope", False),
])
def test_comparisons_between_paths(ro, condition, expected):
    assert holds(*ro, condition) is expected


# --------------------------------------------------------------------------------------------------
# BETWEEN and IN.


@pytest.mark.parametrize("condition,values,expected", [
    ("n BETWEEN :lo AND :hi", {":lo": N("5"), ":hi": N("15")}, True),
    ("n BETWEEN :lo AND :hi", {":lo": N("10"), ":hi": N("15")}, True),   # inclusive
    ("n BETWEEN :lo AND :hi", {":lo": N("1"), ":hi": N("10")}, True),
    ("n BETWEEN :lo AND :hi", {":lo": N("10"), ":hi": N("10")}, True),
    ("n BETWEEN :lo AND :hi", {":lo": N("10.5"), ":hi": N("15")}, False),
    ("n BETWEEN :lo AND :hi", {":lo": N("-5"), ":hi": N("9.9")}, False),
    ("s BETWEEN :lo AND :hi", {":lo": S("a"), ":hi": S("z")}, True),
    ("s BETWEEN :lo AND :hi", {":lo": S("hello world!"), ":hi": S("z")}, False),
    ("b BETWEEN :lo AND :hi", {":lo": B(b"\x01"), ":hi": B(b"\x01\x03")}, True),
    ("n BETWEEN :lo AND :hi", {":lo": S("0"), ":hi": S("9")}, False),    # type mismatch
    ("nope BETWEEN :lo AND :hi", {":lo": N("0"), ":hi": N("9")}, False),
    ("size(l) BETWEEN :lo AND :hi", {":lo": N("4"), ":hi": N("9")}, True),
    ("NOT n BETWEEN :lo AND :hi", {":lo": N("11"), ":hi": N("12")}, True),
])
def test_between(ro, condition, values, expected):
    assert holds(*ro, condition, values) is expected


@pytest.mark.parametrize("condition,values,expected", [
    ("n IN (:a)", {":a": N("10")}, True),
    ("n IN (:a, :b, :c)", {":a": N("1"), ":b": N("1E1"), ":c": N("3")}, True),
    ("n IN (:a, :b)", {":a": N("1"), ":b": N("2")}, False),
    ("n IN (:a)", {":a": S("10")}, False),
    ("s IN (:a, :b)", {":a": S("hello"), ":b": S("hello world")}, True),
    ("b IN (:a)", {":a": B(b"\x01\x02\x03")}, True),
    ("nope IN (:a)", {":a": N("10")}, False),
    ("n IN (l[1], :a)", {":a": N("10")}, True),
    ("size(ss) IN (:a, :b)", {":a": N("1"), ":b": N("2")}, True),
    ("NOT n IN (:a, :b)", {":a": N("1"), ":b": N("2")}, True),
])
def test_in(ro, condition, values, expected):
    assert holds(*ro, condition, values) is expected


# --------------------------------------------------------------------------------------------------
# AND, OR, NOT: precedence and parentheses. T is a true atom, F a false one.

T = "n = :ten"
F = "n = :nine"
TF_VALUES = {":ten": N("10"), ":nine": N("9")}


@pytest.mark.parametrize("condition,expected", [
    (f"{T} AND {T}", True),
    (f"{T} AND {F}", False),
    (f"{F} OR {T}", True),
    (f"{F} OR {F}", False),
    (f"NOT {F}", True),
    (f"NOT {T}", False),
    (f"NOT NOT {T}", True),
    # AND binds tighter than OR: T OR (F AND F), not (T OR F) AND F.
    (f"{T} OR {F} AND {F}", True),
    (f"{F} AND {F} OR {T}", True),
    (f"({T} OR {F}) AND {F}", False),
    (f"{F} AND ({F} OR {T})", False),
    # NOT binds tighter than AND and OR.
    (f"NOT {F} AND {F}", False),
    (f"NOT ({F} AND {F})", True),
    (f"NOT {T} OR {T}", True),
    (f"NOT ({T} OR {T})", False),
    (f"{F} OR NOT {F} AND {T}", True),
    (f"({F} OR NOT {F}) AND ({F} OR {F})", False),
    # Keywords are case-insensitive.
    (f"{T} and not {F}", True),
    (f"{F} Or {T}", True),
    ("n between :nine and :ten", True),
])
def test_logical_operators(ro, condition, expected):
    values = {k: v for k, v in TF_VALUES.items() if k in condition}
    assert holds(*ro, condition, values) is expected


# --------------------------------------------------------------------------------------------------
# Functions.


@pytest.mark.parametrize("condition,expected", [
    ("attribute_exists(s)", True),
    ("attribute_exists(z)", True),       # a NULL value exists
    ("attribute_exists(nope)", False),
    ("attribute_exists(m.b[1].c)", True),
    ("attribute_exists(m.b[1].x)", False),
    ("attribute_exists(m.b[2])", False),
    ("attribute_exists(l[3][0])", True),
    ("attribute_exists(l[3][1])", False),
    ("attribute_exists(s.x)", False),
    ("attribute_not_exists(s)", False),
    ("attribute_not_exists(nope)", True),
    ("attribute_not_exists(m.b[1].c)", False),
    ("attribute_not_exists(m.b[5])", True),
    ("attribute_not_exists(m.k.x)", True),
])
def test_attribute_exists(ro, condition, expected):
    assert holds(*ro, condition) is expected


@pytest.mark.parametrize("attr,type_name", [
    ("s", "S"), ("n", "N"), ("b", "B"), ("t", "BOOL"), ("z", "NULL"), ("l", "L"), ("m", "M"),
    ("ss", "SS"), ("ns", "NS"), ("bs", "BS"), ("m.b[1]", "M"), ("m.b", "L"), ("l[1]", "N"),
])
def test_attribute_type_every_type(ro, attr, type_name):
    assert holds(*ro, f"attribute_type({attr}, :t)", {":t": S(type_name)})
    for other in ("S", "N", "B", "BOOL", "NULL", "L", "M", "SS", "NS", "BS"):
        if other != type_name:
            assert not holds(*ro, f"attribute_type({attr}, :t)", {":t": S(other)}), other


def test_attribute_type_of_absent_attribute(ro):
    assert not holds(*ro, "attribute_type(nope, :t)", {":t": S("S")})
    assert holds(*ro, "NOT attribute_type(nope, :t)", {":t": S("S")})


@pytest.mark.parametrize("condition,value,expected", [
    ("begins_with(s, :v)", S("hello"), True),
    ("begins_with(s, :v)", S("hello world"), True),
    ("begins_with(s, :v)", S("hello world!"), False),
    ("begins_with(s, :v)", S("world"), False),
    ("begins_with(s, :v)", S("Hello"), False),
    ("begins_with(b, :v)", B(b"\x01\x02"), True),
    ("begins_with(b, :v)", B(b"\x02"), False),
    ("begins_with(m.b[1].c, :v)", S("de"), True),
    ("begins_with(n, :v)", S("1"), False),     # a number is not a string
    ("begins_with(b, :v)", S("\x01"), False),  # a binary does not begin with a string
    ("begins_with(nope, :v)", S("a"), False),
])
def test_begins_with(ro, condition, value, expected):
    assert holds(*ro, condition, {":v": value}) is expected


@pytest.mark.parametrize("condition,value,expected", [
    # Strings: substring.
    ("contains(s, :v)", S("lo wo"), True),
    ("contains(s, :v)", S("hello world"), True),
    ("contains(s, :v)", S("xyz"), False),
    ("contains(s, :v)", S("LO"), False),
    # Binaries: subsequence.
    ("contains(b, :v)", B(b"\x02\x03"), True),
    ("contains(b, :v)", B(b"\x03\x02"), False),
    # Sets: a member, exactly (no substring), of the set's element type.
    ("contains(ss, :v)", S("apple"), True),
    ("contains(ss, :v)", S("app"), False),
    ("contains(ns, :v)", N("2"), True),
    ("contains(ns, :v)", N("2.00"), True),
    ("contains(ns, :v)", N("4"), False),
    ("contains(ns, :v)", S("2"), False),
    ("contains(bs, :v)", B(b"\x02"), True),
    ("contains(bs, :v)", B(b"\x03"), False),
    # Lists: an element equal to the operand.
    ("contains(l, :v)", S("a"), True),
    ("contains(l, :v)", N("2"), True),
    ("contains(l, :v)", S("2"), False),
    ("contains(m.b, :v)", N("1"), True),
    # Other types contain nothing.
    ("contains(n, :v)", N("1"), False),
    ("contains(n, :v)", S("1"), False),
    ("contains(nope, :v)", S("a"), False),
    ("NOT contains(ss, :v)", S("cherry"), True),
])
def test_contains(ro, condition, value, expected):
    assert holds(*ro, condition, {":v": value}) is expected


def test_contains_with_path_operand(ro):
    # The second operand may be a path too: m.k is "v", l[0] is "a".
    assert holds(*ro, "contains(l, l[0])")
    assert not holds(*ro, "contains(l, m.k)")
    assert holds(*ro, "contains(s, m.k) OR contains(s, l[0])") is False
    assert holds(*ro, "contains(#st, :v)", {":v": S("tiv")}, {"#st": "status"})


@pytest.mark.parametrize("operand,size", [
    ("s", 11),        # "hello world"
    ("b", 3),
    ("l", 4),
    ("m", 2),
    ("ss", 2),
    ("ns", 3),
    ("bs", 2),
    ("m.b", 2),
    ("m.b[1]", 1),
    ("m.b[1].c", 4),  # "deep"
    ("l[3]", 1),
    ("l[0]", 1),
])
def test_size(ro, operand, size):
    assert holds(*ro, f"size({operand}) = :v", {":v": N(str(size))})
    assert not holds(*ro, f"size({operand}) = :v", {":v": N(str(size + 1))})
    assert holds(*ro, f"size({operand}) > :v", {":v": N(str(size - 1))})
    assert holds(*ro, f"size({operand}) <= :v", {":v": N(str(size))})


def test_size_of_absent_attribute_is_false(ro):
    for comparison in ("=", "<", ">="):
        assert not holds(*ro, f"size(nope) {comparison} :v", {":v": N("0")})


def test_size_compared_with_paths(ro):
    assert holds(*ro, "size(l) > l[1]")      # 4 > 2
    assert holds(*ro, "size(ss) = l[1]")     # 2 = 2
    assert holds(*ro, "size(s) > size(l)")
    assert not holds(*ro, "size(s) = s")     # a number never equals a string


# --------------------------------------------------------------------------------------------------
# ExpressionAttributeNames.


def test_names_substitute_nested_paths(ro):
    names = {"#m": "m", "#b": "b", "#c": "c"}
    assert holds(*ro, "#m.#b[1].#c = :v", {":v": S("deep")}, names)
    assert holds(*ro, "attribute_exists(#m.#b[1].#c)", names=names)
    assert holds(*ro, "size(#m.#b) = :v", {":v": N("2")}, {"#m": "m", "#b": "b"})
    # A name may stand for any part of the path, mixed with plain names.
    assert holds(*ro, "m.#b[1].c = :v", {":v": S("deep")}, {"#b": "b"})
    assert holds(*ro, "#l[2].c = :v", {":v": N("5")}, {"#l": "l"})


def test_names_for_reserved_words(ro):
    names = {"#s": "status"}
    assert holds(*ro, "#s = :v", {":v": S("active")}, names)
    assert holds(*ro, "begins_with(#s, :v)", {":v": S("act")}, names)
    assert holds(*ro, "attribute_type(#s, :v)", {":v": S("S")}, names)


def test_name_with_dot_is_one_attribute(ro):
    # "#d" stands for the top-level attribute "a.b"; the path a.b is attribute "a", member "b".
    assert holds(*ro, "#d = :v", {":v": S("dotted")}, {"#d": "a.b"})
    assert holds(*ro, "attribute_exists(#d)", names={"#d": "a.b"})
    assert not holds(*ro, "attribute_exists(a.b)")
    assert holds(*ro, "attribute_not_exists(#a.#b)", names={"#a": "a", "#b": "b"})


def test_one_name_used_many_times(ro):
    assert holds(*ro, "#n > :lo AND #n < :hi AND attribute_exists(#n)",
                 {":lo": N("9"), ":hi": N("11")}, {"#n": "n"})


def test_resource_conditions(resource, table):
    # boto3's condition builder: every name becomes a placeholder, every value a :value.
    t = resource.Table(table)
    t.update_item(Key={"pk": "x"}, UpdateExpression="SET n = :v",
                  ConditionExpression=Attr("n").between(5, 15) & Attr("status").eq("active")
                  & Attr("ss").contains("apple") & ~Attr("nope").exists(),
                  ExpressionAttributeValues={":v": 12})
    with pytest.raises(ClientError) as e:
        t.delete_item(Key={"pk": "x"},
                      ConditionExpression=Attr("n").lt(12) | Attr("s").size().gt(11))
    assert e.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert t.get_item(Key={"pk": "x"})["Item"]["n"] == Decimal(12)


# --------------------------------------------------------------------------------------------------
# ReturnValuesOnConditionCheckFailure (raw HTTP: Debian's botocore does not model it).


def raw_failure(raw, operation, body):
    resp = raw.request(operation, body)
    check_protocol_headers(resp)
    assert resp.status == 400, resp
    assert resp.error_type == "ConditionalCheckFailedException", resp
    assert resp.message == "The conditional request failed", resp
    return resp.json


RAW_KEY = {"pk": {"S": "r"}}
RAW_ITEM = {"pk": {"S": "r"}, "v": {"N": "1"}, "s": {"SS": ["a"]}, "b": {"B": "AAE="}}


@pytest.mark.parametrize("operation,extra", [
    ("PutItem", {"Item": {"pk": {"S": "r"}, "v": {"N": "2"}}}),
    ("UpdateItem", {"Key": RAW_KEY, "UpdateExpression": "SET w = :one"}),
    ("DeleteItem", {"Key": RAW_KEY}),
])
def test_return_values_on_condition_check_failure(client, raw, table, operation, extra):
    client.put_item(TableName=table, Item={"pk": {"S": "r"}, "v": {"N": "1"}, "s": {"SS": ["a"]},
                                           "b": {"B": b"\x00\x01"}})
    body = dict(extra, TableName=table, ConditionExpression="v = :two",
                ExpressionAttributeValues={":two": {"N": "2"}})
    if operation == "UpdateItem":
        body["ExpressionAttributeValues"][":one"] = {"N": "1"}
    got = raw_failure(raw, operation, dict(body, ReturnValuesOnConditionCheckFailure="ALL_OLD"))
    assert got["Item"] == RAW_ITEM
    got = raw_failure(raw, operation, dict(body, ReturnValuesOnConditionCheckFailure="NONE"))
    assert "Item" not in got
    got = raw_failure(raw, operation, body)
    assert "Item" not in got
    # A botocore that models the parameter parses the item into e.response["Item"].
    model = client.meta.service_model.operation_model(operation)
    if "ReturnValuesOnConditionCheckFailure" in model.input_shape.members:
        call = getattr(client, {"PutItem": "put_item", "UpdateItem": "update_item",
                                "DeleteItem": "delete_item"}[operation])
        kwargs = dict(body, ReturnValuesOnConditionCheckFailure="ALL_OLD")  # no B in body
        response = expect_condition_failed(call, **kwargs)
        assert response["Item"] == dict(RAW_ITEM, b={"B": b"\x00\x01"})
    # Nothing was written.
    resp = raw.request("GetItem", {"TableName": table, "Key": RAW_KEY})
    assert resp.json["Item"] == RAW_ITEM


def test_return_values_on_condition_check_failure_absent_item(raw, table):
    # No old item: nothing to return.
    got = raw_failure(raw, "PutItem", {
        "TableName": table, "Item": {"pk": {"S": "none"}},
        "ConditionExpression": "attribute_exists(pk)",
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"})
    assert "Item" not in got


def test_return_values_on_condition_check_failure_invalid_value(raw, table):
    # NOT SURE: the order DynamoDB lists the enum values in.
    resp = raw.request("PutItem", {
        "TableName": table, "Item": {"pk": {"S": "r"}},
        "ConditionExpression": "attribute_exists(pk)",
        "ReturnValuesOnConditionCheckFailure": "ALL_NEW"})
    assert resp.status == 400
    assert resp.error_type == "ValidationException"
    assert resp.message == (
        "1 validation error detected: Value 'ALL_NEW' at 'returnValuesOnConditionCheckFailure' "
        "failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]")
