"""UpdateExpression: SET, REMOVE, ADD, DELETE on top-level and nested paths.

DynamoDB behaviour checked:
- SET: a value, a copy of another path, a + b and a - b (numbers only), if_not_exists(path, v),
  list_append(a, b) in either order; nested map members and list elements; SET of a list index
  past the end appends the element at the end; every operand is read from the item as it was
  before the update;
- REMOVE: attributes, nested members, list elements (the list closes up; an index past the end is
  ignored), absent attributes (no error);
- ADD: to a number (an absent attribute counts as 0), and set union for SS, NS and BS (an absent
  attribute becomes the set); DELETE: set difference, and a set left empty removes the attribute;
- several clauses in one expression, in any order and any keyword case; each clause at most once:
  'The "SET" section can only be used once in an update expression;';
- ReturnValues UPDATED_OLD / UPDATED_NEW return only the updated paths, nested ones inside their
  maps and lists;
- numbers are exact to 38 digits; a result outside the range is "Number overflow. Attempting to
  store a number with magnitude larger than supported range";
- an update of a key attribute (SET, REMOVE or ADD) is rejected;
- errors: overlapping paths ("Two document paths overlap with each other; ..."), operand types
  known from the expression ("Incorrect operand type for operator or function; ...") and found in
  the item ("An operand in the update expression has an incorrect data type"), a path through a
  missing or non-container value ("The document path provided in the update expression is invalid
  for update"), an operand path that does not exist ("The provided expression refers to an
  attribute that does not exist in the item"). A failed update changes nothing.
"""

import pytest
from botocore.exceptions import ClientError

from conftest import create_table, unique_access_key

KEY = {"pk": {"S": "a"}}
S = lambda v: {"S": v}  # noqa: E731
N = lambda v: {"N": v}  # noqa: E731
B = lambda v: {"B": v}  # noqa: E731
L = lambda *v: {"L": list(v)}  # noqa: E731
M = lambda **v: {"M": v}  # noqa: E731

BASE = {
    "pk": S("a"),
    "n": N("10"),
    "s": S("text"),
    "l": L(S("a"), S("b"), S("c"), S("d"), S("e")),
    "m": M(x=N("1"), y=N("2"), z=M(deep=N("3")), lst=L(N("0"), M(q=S("q")))),
    "ss": {"SS": ["a", "b", "c"]},
    "ns": {"NS": ["1", "2"]},
    "bs": {"BS": [b"\x01", b"\x02"]},
}


@pytest.fixture(scope="module")
def shared_client(server):
    """One namespace and one table for the whole module (making a boto3 client per test is slow);
    the `table` fixture puts BASE back before each test."""
    c = server.client(unique_access_key())
    create_table(c, "upd")
    return c


@pytest.fixture
def client(shared_client):
    return shared_client


@pytest.fixture
def table(client):
    client.put_item(TableName="upd", Item=BASE)
    return "upd"


def update(client, table, expression, values=None, names=None, return_values="ALL_NEW", key=KEY):
    kwargs = {}
    if values:
        kwargs["ExpressionAttributeValues"] = values
    if names:
        kwargs["ExpressionAttributeNames"] = names
    resp = client.update_item(TableName=table, Key=key, UpdateExpression=expression,
                              ReturnValues=return_values, **kwargs)
    return resp.get("Attributes")


def get(client, table, key=KEY):
    return client.get_item(TableName=table, Key=key).get("Item")


def sets_sorted(item):
    out = {}
    for k, v in item.items():
        if "SS" in v:
            v = {"SS": sorted(v["SS"])}
        elif "NS" in v:
            v = {"NS": sorted(v["NS"], key=float)}
        elif "BS" in v:
            v = {"BS": sorted(v["BS"])}
        out[k] = v
    return out


def rejected(client, table, message, expression, values=None, names=None, key=KEY):
    """The update fails with ValidationException `message` and the item is unchanged."""
    before = get(client, table, key)
    with pytest.raises(ClientError) as e:
        update(client, table, expression, values, names, key=key)
    err = e.value.response["Error"]
    assert (err["Code"], err["Message"]) == ("ValidationException", message)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert get(client, table, key) == before


def invalid(message):
    return "Invalid UpdateExpression: " + message


# --------------------------------------------------------------------------------------------------
# SET.


def test_set_plain_values(client, table):
    new = update(client, table, "SET v = :v, s = :n, #t = :b",
                 {":v": M(k=L(S("x"), {"NULL": True})), ":n": N("5"), ":b": {"BOOL": False}},
                 {"#t": "type"})  # TYPE is reserved
    assert new == dict(BASE, v=M(k=L(S("x"), {"NULL": True})), s=N("5"), type={"BOOL": False})
    assert get(client, table) == new


def test_set_copy_path(client, table):
    new = update(client, table, "SET c = m.z, d = l[1]")
    assert new["c"] == M(deep=N("3"))
    assert new["d"] == S("b")


# Parentheses in a SET value, as DynamoDB parses them (dynalite's update grammar, learned from
# DynamoDB): around a term, around the whole value, around a function or one of its arguments, any
# number deep; a sum is never a term of another sum.
@pytest.mark.parametrize("expression,values,result", [
    ("SET c = (n)", None, N("10")),
    ("SET c = ((n))", None, N("10")),
    ("SET c = (n + :v)", {":v": N("5")}, N("15")),
    ("SET c = n - (:v)", {":v": N("5")}, N("5")),
    ("SET c = (n) + (:v)", {":v": N("5")}, N("15")),
    ("SET c = ((m.x) - (m.y))", None, N("-1")),
    ("SET c = (if_not_exists(absent, :v))", {":v": N("7")}, N("7")),
    ("SET c = if_not_exists((n), (:v))", {":v": N("7")}, N("10")),
    ("SET c = list_append((l), (:v))", {":v": L(S("f"))}, L(*BASE["l"]["L"], S("f"))),
])
def test_set_value_in_parentheses(client, table, expression, values, result):
    assert update(client, table, expression, values)["c"] == result
    assert get(client, table)["c"] == result


@pytest.mark.parametrize("expression,values,message", [
    ("SET c = n - (m.x - :v)", {":v": N("1")}, 'Syntax error; token: "-", near: "x - :v"'),
    ("SET c = (n + :v) + :v", {":v": N("1")}, 'Syntax error; token: "+", near: ") + :v"'),
    ("SET (c) = n", None, 'Syntax error; token: "(", near: "SET (c"'),
    ("SET c = (n", None, 'Syntax error; token: "<EOF>", near: "n"'),
    ("SET c = " + "(" * 300 + "n" + ")" * 300, None, None),
])
def test_set_value_parentheses_refused(client, table, expression, values, message):
    if message is None:  # nesting past Cairn's bound (256): a syntax error, never a crash
        with pytest.raises(ClientError) as e:
            update(client, table, expression, values)
        assert e.value.response["Error"]["Message"].startswith(
            "Invalid UpdateExpression: Syntax error; token: \"(\"")
        return
    rejected(client, table, invalid(message), expression, values)


@pytest.mark.parametrize("expression,values,result", [
    ("SET n = n + :v", {":v": N("5")}, "15"),
    ("SET n = n - :v", {":v": N("15")}, "-5"),
    ("SET n = :v + n", {":v": N("0.25")}, "10.25"),
    ("SET n = :v - n", {":v": N("1")}, "-9"),
    ("SET n = n + n", None, "20"),
    ("SET n = n - n", None, "0"),
    ("SET n = m.x + m.z.deep", None, "4"),
    ("SET n = :a + :b", {":a": N("0.1"), ":b": N("0.2")}, "0.3"),
    ("SET n = n + :v", {":v": N("-10.5")}, "-0.5"),
    ("SET n = n - :v", {":v": N("1E+2")}, "-90"),
    ("SET n = n + :v", {":v": N("1e-3")}, "10.001"),
])
def test_set_arithmetic(client, table, expression, values, result):
    assert update(client, table, expression, values, return_values="UPDATED_NEW") == {
        "n": N(result)}


def test_set_if_not_exists(client, table):
    values = {":v": N("99")}
    # Present: keeps its value; absent: takes the operand.
    new = update(client, table, "SET n = if_not_exists(n, :v), c = if_not_exists(c, :v)", values)
    assert (new["n"], new["c"]) == (N("10"), N("99"))
    # Nested, and the counter idiom.
    new = update(client, table,
                 "SET m.x = if_not_exists(m.x, :v), m.w = if_not_exists(m.w, :v), "
                 "cnt = if_not_exists(cnt, :zero) + :one",
                 {":v": N("99"), ":zero": N("0"), ":one": N("1")})
    assert (new["m"]["M"]["x"], new["m"]["M"]["w"], new["cnt"]) == (N("1"), N("99"), N("1"))
    new = update(client, table, "SET cnt = if_not_exists(cnt, :zero) + :one",
                 {":zero": N("0"), ":one": N("1")})
    assert new["cnt"] == N("2")
    # The default may be another path.
    new = update(client, table, "SET e = if_not_exists(e, s)")
    assert new["e"] == S("text")


def test_set_list_append(client, table):
    new = update(client, table, "SET l = list_append(l, :t)", {":t": L(S("f"), N("1"))})
    assert new["l"] == L(S("a"), S("b"), S("c"), S("d"), S("e"), S("f"), N("1"))
    new = update(client, table, "SET l = list_append(:h, l)", {":h": L(S("0"))})
    assert new["l"] == L(S("0"), S("a"), S("b"), S("c"), S("d"), S("e"), S("f"), N("1"))
    new = update(client, table, "SET m.lst = list_append(m.lst, :t)", {":t": L()})
    assert new["m"]["M"]["lst"] == BASE["m"]["M"]["lst"]
    # Onto an absent list, with if_not_exists; two literal lists.
    new = update(client, table, "SET nl = list_append(if_not_exists(nl, :empty), :t), "
                 "pair = list_append(:t, :t)", {":empty": L(), ":t": L(S("x"))})
    assert (new["nl"], new["pair"]) == (L(S("x")), L(S("x"), S("x")))


def test_set_nested_map_paths(client, table):
    new = update(client, table, "SET m.x = :v, m.z.deep = :v, m.z.added = :w, m.#n = :w",
                 {":v": S("new"), ":w": N("7")}, {"#n": "name"})
    assert new["m"] == M(x=S("new"), y=N("2"), z=M(deep=S("new"), added=N("7")),
                         lst=BASE["m"]["M"]["lst"], name=N("7"))


def test_set_nested_list_paths(client, table):
    new = update(client, table, "SET l[0] = :v, m.lst[1].q = :v, m.lst[1].r = :w",
                 {":v": S("new"), ":w": L()})
    assert new["l"] == L(S("new"), S("b"), S("c"), S("d"), S("e"))
    assert new["m"]["M"]["lst"] == L(N("0"), M(q=S("new"), r=L()))


def test_set_list_index_past_end_appends(client, table):
    new = update(client, table, "SET l[100] = :v", {":v": S("z")})
    assert new["l"] == L(S("a"), S("b"), S("c"), S("d"), S("e"), S("z"))
    new = update(client, table, "SET m.lst[5] = :v", {":v": N("9")})
    assert new["m"]["M"]["lst"] == L(N("0"), M(q=S("q")), N("9"))
    assert get(client, table)["l"] == L(S("a"), S("b"), S("c"), S("d"), S("e"), S("z"))


def test_set_reads_the_old_item(client, table):
    # Every operand is evaluated before any action is applied.
    new = update(client, table, "SET n = n + :one, c = n", {":one": N("1")})
    assert (new["n"], new["c"]) == (N("11"), N("10"))


def test_set_creates_item(client, table):
    key = {"pk": S("fresh")}
    new = update(client, table, "SET a = :v, b = if_not_exists(b, :v)", {":v": N("1")}, key=key)
    assert new == {"pk": S("fresh"), "a": N("1"), "b": N("1")}


# --------------------------------------------------------------------------------------------------
# REMOVE.


def test_remove_attributes(client, table):
    new = update(client, table, "REMOVE n, s, nope")
    assert new == {k: v for k, v in BASE.items() if k not in ("n", "s")}


def test_remove_nested(client, table):
    new = update(client, table, "REMOVE m.x, m.z.deep, m.nope")
    assert new["m"] == M(y=N("2"), z=M(), lst=BASE["m"]["M"]["lst"])


def test_remove_list_elements_compacts(client, table):
    new = update(client, table, "REMOVE l[0], l[2], l[4]")
    assert new["l"] == L(S("b"), S("d"))
    new = update(client, table, "REMOVE l[1], l[9]")  # an index past the end is ignored
    assert new["l"] == L(S("b"))
    new = update(client, table, "REMOVE m.lst[0]")
    assert new["m"]["M"]["lst"] == L(M(q=S("q")))
    new = update(client, table, "REMOVE l[0]")
    assert new["l"] == L()


def test_remove_then_item_keeps_key(client, table):
    names = ", ".join(k for k in BASE if k != "pk")
    assert update(client, table, "REMOVE " + names) == {"pk": S("a")}
    assert get(client, table) == {"pk": S("a")}


# --------------------------------------------------------------------------------------------------
# ADD and DELETE.


def test_add_number(client, table):
    assert update(client, table, "ADD n :v", {":v": N("5")}, return_values="UPDATED_NEW") == {
        "n": N("15")}
    assert update(client, table, "ADD n :v", {":v": N("-20.5")}, return_values="UPDATED_NEW") == {
        "n": N("-5.5")}
    # Absent: as if it were 0. (The API reference says ADD is for top-level attributes only; what
    # DynamoDB does with a nested path is not pinned here.)
    assert update(client, table, "ADD c :v", {":v": N("3")},
                  return_values="UPDATED_NEW") == {"c": N("3")}


def test_add_number_creates_item(client, table):
    key = {"pk": S("counter")}
    assert update(client, table, "ADD hits :one", {":one": N("1")}, key=key) == {
        "pk": S("counter"), "hits": N("1")}
    assert update(client, table, "ADD hits :one", {":one": N("1")}, key=key) == {
        "pk": S("counter"), "hits": N("2")}


def test_add_sets(client, table):
    new = update(client, table, "ADD ss :ss, ns :ns, bs :bs, newset :ss",
                 {":ss": {"SS": ["c", "d"]}, ":ns": {"NS": ["2.0", "3", "-1"]},
                  ":bs": {"BS": [b"\x02", b"\x00"]}},
                 return_values="UPDATED_NEW")
    assert sets_sorted(new) == {
        "ss": {"SS": ["a", "b", "c", "d"]},
        "ns": {"NS": ["-1", "1", "2", "3"]},
        "bs": {"BS": [b"\x00", b"\x01", b"\x02"]},
        "newset": {"SS": ["c", "d"]},
    }


def test_delete_from_sets(client, table):
    new = update(client, table, "DELETE ss :ss, ns :ns, bs :bs",
                 {":ss": {"SS": ["a", "c", "zz"]}, ":ns": {"NS": ["1.0"]},
                  ":bs": {"BS": [b"\x09"]}},
                 return_values="UPDATED_NEW")
    assert sets_sorted(new) == {"ss": {"SS": ["b"]}, "ns": {"NS": ["2"]},
                                "bs": {"BS": [b"\x01", b"\x02"]}}


def test_delete_last_members_removes_attribute(client, table):
    new = update(client, table, "DELETE ss :ss", {":ss": {"SS": ["a", "b", "c"]}})
    assert "ss" not in new
    assert "ss" not in get(client, table)
    # DELETE from an absent attribute changes nothing.
    new = update(client, table, "DELETE ss :ss", {":ss": {"SS": ["a"]}})
    assert "ss" not in new


# --------------------------------------------------------------------------------------------------
# Clauses together.


def test_several_clauses(client, table):
    values = {":v": S("set"), ":one": N("1"), ":x": {"SS": ["a"]}}
    new = update(client, table, "SET v = :v REMOVE s ADD n :one DELETE ss :x", values)
    expected = dict({k: v for k, v in BASE.items() if k != "s"}, v=S("set"), n=N("11"),
                    ss={"SS": ["b", "c"]})
    assert sets_sorted(new) == sets_sorted(expected)
    # Any order, any keyword case.
    new = update(client, table, "delete ss :x add n :one remove v set s = :v", values)
    expected = dict(BASE, s=S("set"), n=N("12"), ss={"SS": ["b", "c"]})
    assert sets_sorted(new) == sets_sorted(expected)


@pytest.mark.parametrize("expression,clause", [
    ("SET a = :v SET b = :v", "SET"),
    ("SET a = :v REMOVE b REMOVE c", "REMOVE"),
    ("ADD a :n ADD b :n", "ADD"),
    ("DELETE a :s REMOVE c DELETE b :s", "DELETE"),
])
def test_each_clause_once(client, table, expression, clause):
    values = {k: v for k, v in {":v": S("x"), ":n": N("1"), ":s": {"SS": ["a"]}}.items()
              if k in expression}
    rejected(client, table, invalid(
        f'The "{clause}" section can only be used once in an update expression;'),
        expression, values)


# --------------------------------------------------------------------------------------------------
# ReturnValues with nested paths.


def test_return_values_nested(client, table):
    values = {":v": S("new")}
    expression = "SET m.x = :v, m.z.deep = :v, l[1] = :v"
    old = update(client, table, expression, values, return_values="UPDATED_OLD")
    assert old == {"m": M(x=N("1"), z=M(deep=N("3"))), "l": L(S("b"))}
    new = update(client, table, "SET m.x = :v, m.z.deep = :w, l[1] = :w", {":v": S("new"),
                 ":w": S("newer")}, return_values="UPDATED_NEW")
    assert new == {"m": M(x=S("new"), z=M(deep=S("newer"))), "l": L(S("newer"))}


def test_return_values_nested_remove_and_create(client, table):
    assert update(client, table, "REMOVE m.y", return_values="UPDATED_OLD") == {"m": M(y=N("2"))}
    assert update(client, table, "REMOVE m.x", return_values="UPDATED_NEW") is None
    # A path that did not exist before has no old value.
    assert update(client, table, "SET m.w = :v", {":v": N("1")},
                  return_values="UPDATED_OLD") is None
    assert update(client, table, "SET m.u = :v", {":v": N("2")},
                  return_values="UPDATED_NEW") == {"m": M(u=N("2"))}
    assert update(client, table, "SET m.lst[1].q = :v", {":v": N("3")},
                  return_values="UPDATED_OLD") == {"m": M(lst=L(M(q=S("q"))))}


def test_return_values_all(client, table):
    values = {":v": N("1")}
    assert update(client, table, "SET m.x = :v", values, return_values="ALL_OLD") == BASE
    new = update(client, table, "ADD n :v", values, return_values="ALL_NEW")
    assert new == dict(BASE, n=N("11"))
    assert update(client, table, "ADD n :v", values, return_values="NONE") is None


# --------------------------------------------------------------------------------------------------
# Numbers: exact to 38 digits.


@pytest.mark.parametrize("a,op,b,result", [
    ("12345678901234567890123456789012345678", "+", "1", "12345678901234567890123456789012345679"),
    ("99999999999999999999999999999999999999", "+", "1", "1" + "0" * 38),
    ("1", "-", "0.00000000000000000000000000000000000001",
     "0.99999999999999999999999999999999999999"),
    ("0.1", "+", "0.2", "0.3"),
    ("1.5", "-", "1.5", "0"),
    ("-5", "-", "7.5", "-12.5"),
    ("9.9999999999999999999999999999999999999E+125", "-",
     "9.9999999999999999999999999999999999999E+125", "0"),
    ("1E+125", "+", "1E+125", "2" + "0" * 125),
    ("1E-130", "+", "1E-130", "0." + "0" * 129 + "2"),
])
def test_exact_arithmetic(client, table, a, op, b, result):
    got = update(client, table, f"SET r = :a {op} :b", {":a": N(a), ":b": N(b)},
                 return_values="UPDATED_NEW")
    assert got == {"r": N(result)}


def test_add_exact(client, table):
    update(client, table, "SET r = :a", {":a": N("-99999999999999999999999999999999999999")})
    assert update(client, table, "ADD r :b", {":b": N("-1")}, return_values="UPDATED_NEW") == {
        "r": N("-1" + "0" * 38)}


def test_arithmetic_overflow(client, table):
    big = N("9.9999999999999999999999999999999999999E+125")
    msg = "Number overflow. Attempting to store a number with magnitude larger than supported range"
    rejected(client, table, msg, "SET r = :a + :a", {":a": big})
    rejected(client, table, msg, "SET r = :b - :a", {":a": big, ":b": N("-9E+125")})
    update(client, table, "SET r = :a", {":a": big})
    rejected(client, table, msg, "ADD r :a", {":a": big})


def test_arithmetic_precision_loss_rejected(client, table):
    # 1E+50 + 1 needs 51 significant digits. DynamoDB never rounds.
    # NOT SURE of the exact message (Cairn: "Attempting to store more than 38 significant digits in
    # a Number", as for PutItem); only the error type is pinned.
    with pytest.raises(ClientError) as e:
        update(client, table, "SET r = :a + :b", {":a": N("1E+50"), ":b": N("1")})
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert "r" not in get(client, table)


# --------------------------------------------------------------------------------------------------
# Key attributes.


def test_update_of_key_attributes_rejected(client):
    create_table(client, "keyed", hash_key=("h", "N"), range_key=("r", "S"))
    key = {"h": N("1"), "r": S("x")}
    client.put_item(TableName="keyed", Item=dict(key, v=N("1")))
    for expression, attr in [("SET r = :s", "r"), ("REMOVE h", "h"), ("ADD h :n", "h"),
                             ("SET v = :n, r = :s", "r"), ("SET r = r", "r")]:
        values = {k: v for k, v in {":s": S("y"), ":n": N("2")}.items() if k in expression}
        rejected(client, "keyed", "One or more parameter values were invalid: Cannot update "
                 f"attribute {attr}. This attribute is part of the key", expression, values or None,
                 key=key)
    # Through a #name too.
    rejected(client, "keyed", "One or more parameter values were invalid: Cannot update attribute "
             "h. This attribute is part of the key", "SET #k = :n", {":n": N("2")}, {"#k": "h"},
             key=key)


# --------------------------------------------------------------------------------------------------
# Errors.


@pytest.mark.parametrize("expression,one,two", [
    ("SET a = :v, a = :v", "[a]", "[a]"),
    ("SET a = :v, a.b = :v", "[a]", "[a, b]"),
    ("SET m.x = :v REMOVE m", "[m, x]", "[m]"),
    ("REMOVE m.z, m.z.deep", "[m, z]", "[m, z, deep]"),
    ("ADD ss :s DELETE ss :s", "[ss]", "[ss]"),
    # NOT SURE: DynamoDB's spelling of a list index inside the path list.
    ("SET l[1] = :v REMOVE l[1]", "[l, [1]]", "[l, [1]]"),
])
def test_overlapping_paths(client, table, expression, one, two):
    values = {k: v for k, v in {":v": S("x"), ":s": {"SS": ["a"]}}.items() if k in expression}
    rejected(client, table, invalid(
        "Two document paths overlap with each other; must remove or rewrite one of these paths; "
        f"path one: {one}, path two: {two}"), expression, values)


def test_disjoint_sibling_paths_allowed(client, table):
    new = update(client, table, "SET m.x = :v, m.y = :v, l[0] = :v, l[1] = :v REMOVE m.z",
                 {":v": N("0")})
    assert new["m"] == M(x=N("0"), y=N("0"), lst=BASE["m"]["M"]["lst"])
    assert new["l"] == L(N("0"), N("0"), S("c"), S("d"), S("e"))


@pytest.mark.parametrize("expression,values,message", [
    ("SET a = :s + :n", {":s": S("1"), ":n": N("1")},
     "Incorrect operand type for operator or function; operator or function: +, "
     "operand type: S"),
    ("SET a = n - :b", {":b": {"BOOL": True}},
     "Incorrect operand type for operator or function; operator or function: -, "
     "operand type: BOOL"),
    ("SET a = list_append(:s, l)", {":s": S("x")},
     "Incorrect operand type for operator or function; operator or function: list_append, "
     "operand type: S"),
    ("ADD a :s", {":s": S("x")},
     "Incorrect operand type for operator or function; operator: ADD, operand type: STRING"),
    ("ADD a :m", {":m": M()},
     "Incorrect operand type for operator or function; operator: ADD, operand type: MAP"),
    ("ADD a :l", {":l": L()},
     "Incorrect operand type for operator or function; operator: ADD, operand type: LIST"),
    ("DELETE a :n", {":n": N("1")},
     "Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER"),
    ("DELETE a :b", {":b": B(b"\x01")},
     "Incorrect operand type for operator or function; operator: DELETE, operand type: BINARY"),
])
def test_incorrect_operand_types_in_expression(client, table, expression, values, message):
    rejected(client, table, invalid(message), expression, values)


@pytest.mark.parametrize("expression,values", [
    ("SET a = s + :n", {":n": N("1")}),             # s is a string
    ("SET a = :n - m", {":n": N("1")}),             # m is a map
    ("SET a = ns + :n", {":n": N("1")}),            # ns is a set
    ("SET a = list_append(s, :l)", {":l": L()}),
    ("SET a = list_append(:l, m)", {":l": L()}),
    ("ADD s :n", {":n": N("1")}),
    ("ADD n :ss", {":ss": {"SS": ["a"]}}),
    ("ADD ss :ns", {":ns": {"NS": ["1"]}}),
    ("ADD l :ss", {":ss": {"SS": ["a"]}}),
    ("DELETE ss :ns", {":ns": {"NS": ["1"]}}),
    ("DELETE s :ss", {":ss": {"SS": ["a"]}}),
])
def test_incorrect_operand_types_in_item(client, table, expression, values):
    rejected(client, table, "An operand in the update expression has an incorrect data type",
             expression, values)


@pytest.mark.parametrize("expression", [
    "SET a = nope",
    "SET a = nope + :n",
    "SET a = :n - m.nope",
    "SET a = list_append(nope, :l)",
    "SET a = l[7]",
])
def test_operand_path_must_exist(client, table, expression):
    values = {k: v for k, v in {":n": N("1"), ":l": L()}.items() if k in expression}
    rejected(client, table,
             "The provided expression refers to an attribute that does not exist in the item",
             expression, values or None)


@pytest.mark.parametrize("expression", [
    "SET nope.x = :v",       # no such map
    "SET m.nope.x = :v",
    "SET s.x = :v",          # a string has no members
    "SET nope[0] = :v",      # no such list
    "SET m[0] = :v",         # a map has no indexes
    "SET l.x = :v",          # a list has no members
    "SET n[0] = :v",
    "SET l[9].x = :v",       # past the end of the list: no map there
])
def test_invalid_document_path(client, table, expression):
    rejected(client, table,
             "The document path provided in the update expression is invalid for update",
             expression, {":v": S("x")})
