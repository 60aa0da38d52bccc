"""Every parameter of every operation Cairn serves is exercised by a test, or listed with a reason.

DynamoDB behaviour checked: none directly. This test guards the others. A request member that
Cairn accepts and silently drops (as DescribeStream's ExclusiveStartShardId once was: a client
paging shards looped for ever) is a difference from DynamoDB that no test notices. So, for every
operation Cairn serves (the X-Amz-Target maps of src/api/dispatch.cc) and every top-level member
of its input shape in botocore's service models (dynamodb and dynamodbstreams 2012-08-10, as
installed: Debian's python3-botocore when run with /usr/bin/python3, the models Cairn's shape
check is generated from, plus the members tools/service_model_overlay.json adds to them), one of these must hold:
- an integration test under tests/integration/ passes that member to that operation. The test
  sources are parsed (Python's ast), not grepped, and a member counts for an operation only where
  the call is attributable to it:
  * a boto3 call `client.<operation>(Member=...)` (resource tables too), with keywords spelled
    out or given as `**name` whose dict the function builds (literals, dict(...),
    `name["Member"] = ...`, `name.update(...)`, `@pytest.mark.parametrize` values);
  * a call to a helper that forwards its `**kwargs` to such a call, or to an operation passed to
    it (`validation(client.scan, msg, Limit=0)`, `all_pages(client.query, ...)`), to any depth;
  * a raw request naming the operation by a string (`raw.request("PutItem", {...})`,
    `raw_streams(raw, "DescribeStream", {...})`), the members being the top-level keys of its body;
  * a `@pytest.mark.parametrize` row (or a literal loop row) that names the operation and the
    member, or a body holding it.
  Comments, docstrings and strings elsewhere never count; nor do test_serialization_model.py's
  generated wrong-type cases (their bodies are built at run time, invisible to the parser).
- or the member is in REVIEWED below: Cairn rejects it on purpose (a DynamoDB feature that does
  not exist locally) or it has no effect to observe, with the reason;
- or it is in KNOWN_GAPS: accepted by Cairn and not yet exercised or honoured as DynamoDB does.
  The test reports that list on every run (a warning in pytest's summary, and printed with -s), so
  that the gap stays visible; it is not a silent pass. An entry leaves the list with the test
  that exercises the member.
An entry of either list that names no member of a served operation fails the test (stale), as
does a KNOWN_GAPS entry that a test now exercises (move it out). Run this file as a script to see,
for each member, the first test that passes it.
"""

import ast
import json
import pathlib
import re
import warnings

import botocore.session
from botocore import xform_name

HERE = pathlib.Path(__file__).resolve().parent
DISPATCH = HERE.parents[1] / "src" / "api" / "dispatch.cc"
SERVICES = {"DynamoDB_20120810": "dynamodb", "DynamoDBStreams_20120810": "dynamodbstreams"}

# Members newer than the installed model (Debian's python3-botocore 1.29, 2022) that current SDKs
# send: those tools/service_model_overlay.json adds to an operation's input shape (the overlay
# Cairn's shape and constraint checks are generated with). They count as members here when the
# installed model does not have them.
OVERLAY = HERE.parents[1] / "tools" / "service_model_overlay.json"


def newer_model_members(models):
    """{operation: [member]}: the overlay's members of the served operations' input shapes."""
    overlay = json.loads(OVERLAY.read_text())
    out = {}
    for prefix, model in models.items():
        added = overlay.get(SERVICES[prefix], {}).get("members", {})
        for op in model.operation_names:
            shape = model.operation_model(op).input_shape
            if shape is not None and shape.name in added:
                out[op] = list(added[shape.name])
    return out


# Members Cairn rejects on purpose, or that it serves without anything a test could observe.
# (operation, member) -> the reason. Keep it short and reviewed: each entry is a decision.
REVIEWED = {
    ("UpdateTable", "ReplicaUpdates"):
        "global tables do not exist locally: refused with a ValidationException that names the "
        "member (src/api/table_ops.cc; test_table_settings.py pins Cairn's text, DynamoDB itself "
        "accepts the member)",
}

# Members Cairn accepts but no integration test exercises, or that it ignores where DynamoDB acts on
# them. NOT a pass: printed on every run so that each gap stays visible. Each is a TODO of issue 14
# ("Parameters that are accepted and dropped today"); an entry leaves the list with the test that
# exercises the member.
KNOWN_GAPS = {}


# --------------------------------------------------------------------------------------------------
# What Cairn serves, and the models' members.


def served_operations():
    """{operation name: target prefix}, read from the operation tables of src/api/dispatch.cc:
    kStreamsOperations (Streams) and kOperations (DynamoDB)."""
    source = DISPATCH.read_text()
    served = {}
    for prefix, table in (("DynamoDBStreams_20120810", "kStreamsOperations[] = {"),
                          ("DynamoDB_20120810", "kOperations[] = {")):
        start = source.index(table)
        end = source.index("\n};", start)
        for name in re.findall(r'\{\s*"(\w+)"\s*,\s*&\w+\s*\}', source[start:end]):
            served[name] = prefix
    assert served, f"no operation map found in {DISPATCH}"
    return served


def model_members():
    """{operation: [member, ...]} for every operation Cairn serves, from botocore's models."""
    session = botocore.session.get_session()
    models = {prefix: session.get_service_model(name) for prefix, name in SERVICES.items()}
    newer = newer_model_members(models)
    members = {}
    for op, prefix in served_operations().items():
        model = models[prefix]
        assert op in model.operation_names, f"{op}: not in botocore's {SERVICES[prefix]} model"
        shape = model.operation_model(op).input_shape
        members[op] = list(shape.members) if shape is not None else []
        members[op] += [m for m in newer.get(op, []) if m not in members[op]]
    return members


# --------------------------------------------------------------------------------------------------
# The test sources: which members each operation is called with.


class Function:
    """A function definition of a test file, with what the analysis needs of it."""

    def __init__(self, node, module, module_assigned):
        self.node = node
        self.module = module
        self.module_assigned = module_assigned  # the file's top-level assignments
        args = node.args
        self.params = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
        self.kwargs = args.kwarg.arg if args.kwarg else None
        # parametrize: argname -> the expressions given for it (one per row).
        self.parametrized = {}
        self.rows = []  # each parametrize row: a list of expressions
        for deco in node.decorator_list:
            if not (isinstance(deco, ast.Call) and ast.unparse(deco.func).endswith("parametrize")
                    and len(deco.args) >= 2):
                continue
            names = deco.args[0]
            if not (isinstance(names, ast.Constant) and isinstance(names.value, str)):
                continue
            argnames = [n.strip() for n in names.value.split(",")]
            values = deco.args[1]
            if not isinstance(values, (ast.List, ast.Tuple)):
                continue
            for row in values.elts:
                row_values = list(row.elts) if (len(argnames) > 1 and isinstance(
                    row, (ast.Tuple, ast.List))) else [row]
                self.rows.append(row_values)
                for name, value in zip(argnames, row_values):
                    self.parametrized.setdefault(name, []).append(value)
        # name -> every expression assigned to it, and the keys set by name[...] = / name.update().
        self.assigned = {}
        self.subscript_keys = {}
        self.updates = {}
        for n in ast.walk(node):
            if isinstance(n, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = n.targets if isinstance(n, ast.Assign) else [n.target]
                for t in targets:
                    for leaf in _flatten_targets(t):
                        if isinstance(leaf, ast.Name) and n.value is not None:
                            self.assigned.setdefault(leaf.id, []).append(n.value)
                        elif (isinstance(leaf, ast.Subscript) and isinstance(leaf.value, ast.Name)
                              and isinstance(leaf.slice, ast.Constant)
                              and isinstance(leaf.slice.value, str)):
                            self.subscript_keys.setdefault(leaf.value.id, set()).add(
                                leaf.slice.value)
            elif (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                  and n.func.attr in ("update", "setdefault")
                  and isinstance(n.func.value, ast.Name)):
                self.updates.setdefault(n.func.value.id, []).append(n)
            elif isinstance(n, (ast.For, ast.comprehension)):
                # `for op, body in ((...), ...)`: the loop variables take the rows' values.
                target, iterable = n.target, n.iter
                if isinstance(iterable, (ast.List, ast.Tuple)):
                    for row in iterable.elts:
                        if isinstance(target, ast.Name):
                            self.assigned.setdefault(target.id, []).append(row)
                            self.rows.append([row])
                        elif isinstance(target, ast.Tuple) and isinstance(row, (ast.Tuple,
                                                                                 ast.List)):
                            self.rows.append(list(row.elts))
                            for t, v in zip(target.elts, row.elts):
                                if isinstance(t, ast.Name):
                                    self.assigned.setdefault(t.id, []).append(v)
        for default, name in zip(reversed(args.defaults), reversed(args.args)):
            self.assigned.setdefault(name.arg, []).append(default)


def _flatten_targets(t):
    if isinstance(t, (ast.Tuple, ast.List)):
        for e in t.elts:
            yield from _flatten_targets(e)
    else:
        yield t


class Coverage:
    """Walks the test sources and records (operation, member) pairs that a test passes."""

    def __init__(self, members):
        self.members = members  # {operation: [member]}
        self.by_snake = {xform_name(op): op for op in members}
        self.covered = {}  # (operation, member) -> set of "file:line"
        # (file name, helper name) -> list of (kind, value, extra keys). A helper is called by its
        # bare name, from its own file or (conftest's) from any test file.
        self.forwarders = {}

    # ---- resolution helpers ----

    def _keys(self, expr, fn, seen=None):
        """The string keys of the dict(s) `expr` may evaluate to, as far as the source shows."""
        seen = set() if seen is None else seen
        keys = set()
        if isinstance(expr, ast.Dict):
            for k, v in zip(expr.keys, expr.values):
                if k is None:
                    keys |= self._keys(v, fn, seen)
                elif isinstance(k, ast.Constant) and isinstance(k.value, str):
                    keys.add(k.value)
        elif isinstance(expr, ast.Call):
            if isinstance(expr.func, ast.Name) and expr.func.id == "dict":
                for a in expr.args:
                    keys |= self._keys(a, fn, seen)
                for kw in expr.keywords:
                    keys |= {kw.arg} if kw.arg else self._keys(kw.value, fn, seen)
            elif isinstance(expr.func, ast.Attribute) and expr.func.attr == "copy":
                keys |= self._keys(expr.func.value, fn, seen)
        elif isinstance(expr, ast.IfExp):
            keys |= self._keys(expr.body, fn, seen) | self._keys(expr.orelse, fn, seen)
        elif isinstance(expr, ast.BoolOp):
            for v in expr.values:
                keys |= self._keys(v, fn, seen)
        elif isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.BitOr):
            keys |= self._keys(expr.left, fn, seen) | self._keys(expr.right, fn, seen)
        elif isinstance(expr, ast.Name) and fn is not None and expr.id not in seen:
            seen.add(expr.id)
            for value in fn.assigned.get(expr.id) or fn.module_assigned.get(expr.id, []):
                keys |= self._keys(value, fn, seen)
            for value in fn.parametrized.get(expr.id, []):
                keys |= self._keys(value, fn, seen)
            keys |= fn.subscript_keys.get(expr.id, set())
            for call in fn.updates.get(expr.id, []):
                if call.func.attr == "setdefault":
                    if call.args and isinstance(call.args[0], ast.Constant):
                        keys.add(call.args[0].value)
                    continue
                for a in call.args:
                    keys |= self._keys(a, fn, seen)
                keys |= {kw.arg for kw in call.keywords if kw.arg}
        return keys

    def _ops_of(self, expr, fn, seen=None):
        """The operations an expression names: `client.scan` (a bound method), "Scan" (a string),
        STREAMS_TARGET + "GetRecords", or a name assigned or parametrized with those."""
        seen = set() if seen is None else seen
        ops = set()
        if isinstance(expr, ast.Attribute) and expr.attr in self.by_snake:
            ops.add(self.by_snake[expr.attr])
        elif isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            if expr.value in self.members:
                ops.add(expr.value)
        elif isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            ops |= self._ops_of(expr.right, fn, seen)
        elif isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and \
                expr.func.id == "getattr" and len(expr.args) >= 2:
            ops |= {self.by_snake[s] for s in self._strings(expr.args[1], fn) if s in self.by_snake}
        elif isinstance(expr, ast.Name) and fn is not None and expr.id not in seen:
            seen.add(expr.id)
            assigned = fn.assigned.get(expr.id) or fn.module_assigned.get(expr.id, [])
            for value in assigned + fn.parametrized.get(expr.id, []):
                ops |= self._ops_of(value, fn, seen)
        return ops

    def _strings(self, expr, fn):
        return {n.value for n in ast.walk(expr) if isinstance(n, ast.Constant)
                and isinstance(n.value, str)}

    def _call_keys(self, call, fn):
        """Keyword members of a call: spelled-out keywords and the keys of `**dict`."""
        keys = set()
        for kw in call.keywords:
            keys |= {kw.arg} if kw.arg else self._keys(kw.value, fn)
        return keys

    def _credit(self, op, keys, where):
        for k in keys:
            if k in self.members[op]:
                self.covered.setdefault((op, k), set()).add(where)

    # ---- forwarders: helpers that pass their **kwargs on ----

    def _find_forwarders(self, functions):
        """helper name -> [(kind, value, extra)]: ("op", name) when the helper calls that operation
        with its **kwargs; ("param", (index, name)) when it calls the function passed as that
        parameter. `extra` are the keys it adds itself. Iterated to a fixed point (helpers that call
        helpers)."""
        changed = True
        while changed:
            changed = False
            for fn in functions:
                if fn.kwargs is None:
                    continue
                derived = {fn.kwargs}
                for name, values in fn.assigned.items():
                    if any(isinstance(n, ast.Name) and n.id == fn.kwargs
                           for v in values for n in ast.walk(v)):
                        derived.add(name)
                targets = []
                for call in (n for n in ast.walk(fn.node) if isinstance(n, ast.Call)):
                    if not any(kw.arg is None and isinstance(kw.value, ast.Name) and
                               kw.value.id in derived for kw in call.keywords):
                        continue
                    extra = {kw.arg for kw in call.keywords if kw.arg}
                    for kw in call.keywords:
                        if kw.arg is None and isinstance(kw.value, ast.Name):
                            extra |= fn.subscript_keys.get(kw.value.id, set())
                    targets += [(kind, value, extra) for kind, value in
                                self._call_targets(call, fn)]
                name = (fn.module.name, fn.node.name)
                old = self.forwarders.get(name, [])
                new = old + [t for t in targets if t not in old]
                if len(new) != len(old):
                    self.forwarders[name] = new
                    changed = True

    def _helper(self, call, fn):
        """The forwarding targets of the helper a call names by its bare name, or None."""
        if not isinstance(call.func, ast.Name):
            return None
        for module in (fn.module.name, "conftest.py"):
            if (module, call.func.id) in self.forwarders:
                return self.forwarders[(module, call.func.id)]
        return None

    def _call_targets(self, call, fn):
        """What a call inside helper `fn` reaches: ("op", op) or ("param", (index, name))."""
        func = call.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        out = []
        if isinstance(func, ast.Attribute) and name in self.by_snake:
            out.append(("op", self.by_snake[name]))
        if isinstance(func, ast.Name) and func.id in fn.params:
            out.append(("param", (fn.params.index(func.id), func.id)))
        for kind, value, _ in self._helper(call, fn) or []:
            if kind == "op":
                out.append(("op", value))
            else:
                arg = self._arg(call, *value)
                if isinstance(arg, ast.Name) and arg.id in fn.params:
                    out.append(("param", (fn.params.index(arg.id), arg.id)))
                elif arg is not None:
                    out += [("op", op) for op in self._ops_of(arg, fn)]
        return out

    @staticmethod
    def _arg(call, index, name):
        # Positional up to the first *args (after it, positions are unknown).
        for i, a in enumerate(call.args):
            if isinstance(a, ast.Starred):
                break
            if i == index:
                return a
        for kw in call.keywords:
            if kw.arg == name:
                return kw.value
        return None

    # ---- the walk ----

    def scan(self, paths):
        functions = []
        for path in paths:
            tree = ast.parse(path.read_text(), filename=str(path))
            module_assigned = {}
            for node in tree.body:
                if isinstance(node, ast.Assign):
                    for t in node.targets:
                        for leaf in _flatten_targets(t):
                            if isinstance(leaf, ast.Name):
                                module_assigned.setdefault(leaf.id, []).append(node.value)
            for node in ast.walk(tree):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    functions.append(Function(node, path, module_assigned))
        self._find_forwarders(functions)
        for fn in functions:
            self._scan_function(fn)

    def _scan_function(self, fn):
        where_of = lambda n: f"{fn.module.name}:{n.lineno}"  # noqa: E731
        for call in (n for n in ast.walk(fn.node) if isinstance(n, ast.Call)):
            where = where_of(call)
            func = call.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            keys = self._call_keys(call, fn)
            helper = self._helper(call, fn)
            # A boto3 call of the operation: a method of a client or of a resource's Table.
            boto3_call = isinstance(func, ast.Attribute) and name in self.by_snake
            if boto3_call:
                self._credit(self.by_snake[name], keys, where)
            # A helper that forwards its keywords (conftest's create_table, validation, ...).
            for kind, value, extra in helper or []:
                if kind == "op":
                    ops = {value}
                else:
                    arg = self._arg(call, *value)
                    ops = self._ops_of(arg, fn) if arg is not None else set()
                for op in ops:
                    self._credit(op, keys | extra, where)
            # An operation passed as an argument (pytest.raises(E, client.scan, Limit=0), ...),
            # or named by a string with the request body beside it (raw requests).
            if helper is None and not boto3_call:
                args = list(call.args) + [kw.value for kw in call.keywords if kw.arg]
                named = set()
                for a in args:
                    named |= self._ops_of(a, fn)
                if named:
                    bodies = set()
                    for a in call.args + [kw.value for kw in call.keywords if kw.arg == "body"]:
                        bodies |= self._keys(a, fn)
                    for op in named:
                        self._credit(op, keys | bodies, where)
        # parametrize rows and loop rows that name an operation: the row's member names and the
        # keys of the bodies it holds.
        for row in fn.rows:
            ops = set()
            for value in row:
                if isinstance(value, ast.Constant) and value.value in self.members:
                    ops.add(value.value)
            if not ops:
                continue
            names = set()
            for value in row:
                names |= self._keys(value, fn)
                for n in ast.walk(value):
                    if isinstance(n, ast.Constant) and isinstance(n.value, str):
                        names.add(n.value)
            for op in ops:
                self._credit(op, names, where_of(row[0]))


def analyse():
    """(members, covered): {operation: [member]} and {(operation, member): {"file:line"}}."""
    members = model_members()
    coverage = Coverage(members)
    paths = sorted(p for p in HERE.glob("*.py") if p.name != pathlib.Path(__file__).name)
    coverage.scan(paths)
    return members, coverage.covered


# --------------------------------------------------------------------------------------------------
# The test.


def test_every_member_is_exercised_or_listed():
    members, covered = analyse()
    pairs = {(op, m) for op, ms in members.items() for m in ms}
    for name, listed in (("REVIEWED", REVIEWED), ("KNOWN_GAPS", KNOWN_GAPS)):
        stale = sorted(set(listed) - pairs)
        assert not stale, f"{name} names members of no operation Cairn serves: {stale}"
    exercised_gaps = sorted(set(KNOWN_GAPS) & set(covered))
    assert not exercised_gaps, (
        "KNOWN_GAPS entries that a test now exercises (move them out, or to REVIEWED): " +
        "; ".join(f"{op}.{m} ({', '.join(sorted(covered[(op, m)]))})"
                  for op, m in exercised_gaps))
    if KNOWN_GAPS:
        # Printed (pytest -s) and, so that every run shows it, in pytest's warnings summary.
        report = "\n".join([f"KNOWN_GAPS: {len(KNOWN_GAPS)} members accepted but not exercised "
                            "or not honoured:"] +
                           [f"  {op}.{m}: {reason}" for (op, m), reason in
                            sorted(KNOWN_GAPS.items())])
        print("\n" + report)
        warnings.warn(report, UserWarning)
    missing = sorted(pairs - set(covered) - set(REVIEWED) - set(KNOWN_GAPS))
    assert not missing, (
        "members accepted by Cairn and exercised by no integration test (add a test, or list the "
        "member in REVIEWED or KNOWN_GAPS with its reason): " +
        ", ".join(f"{op}.{m}" for op, m in missing))


def test_the_analysis_sees_the_forms_tests_use():
    """The parser's own check: members that tests pass in each of the forms it reads."""
    _, covered = analyse()
    for pair in [
        ("CreateTable", "StreamSpecification"),   # conftest.create_table(..., **kwargs) forwarding
        ("Query", "ExclusiveStartKey"),           # conftest.all_pages adds it to the forwarded call
        ("DescribeStream", "StreamArn"),          # boto3 streams client
        ("GetRecords", "Limit"),                  # raw_streams(raw, "GetRecords", {...})
        ("ListStreams", "ExclusiveStartStreamArn"),  # **kwargs built in a loop
        ("DescribeStream", "ShardFilter"),        # a raw request naming the operation
        ("DeleteItem", "ReturnValuesOnConditionCheckFailure"),  # parametrize rows, raw bodies
    ]:
        assert pair in covered, pair


if __name__ == "__main__":
    members, covered = analyse()
    for op, ms in sorted(members.items()):
        for m in ms:
            where = sorted(covered.get((op, m), ()))
            state = ("REVIEWED" if (op, m) in REVIEWED else "GAP" if (op, m) in KNOWN_GAPS else
                     "MISSING") if not where else f"{len(where)} ({where[0]})"
            print(f"{op}.{m}: {state}")
