#!/usr/bin/python3
"""Generates Cairn's C++ tables of DynamoDB's service model (src/protocol/service_model.h).

DynamoDB reads a request's JSON body against the operation's input shape before it does anything
else; Cairn does the same from the same description: the botocore service models that Debian ships
in python3-botocore,
    botocore/data/dynamodb/2012-08-10/service-2.json         (DynamoDB_20120810.*)
    botocore/data/dynamodbstreams/2012-08-10/service-2.json  (DynamoDBStreams_20120810.*)
with the members DynamoDB added since that model was made laid over them from
    tools/service_model_overlay.json
For every operation of both services this emits its input shape and, recursively, every shape it
reaches: the type, a structure's members (name, target shape, required) in the model's order, a
list's member shape, a map's key and value shapes, and the constraints (min/max length, size or
value, enum values, pattern). Output shapes and documentation are left out.

The overlay (service_model_overlay.json, reviewed by hand from the current API reference; each
entry carries its "_source") has, per botocore service directory name:
    "shapes":   {name: shape}              shapes to add, in botocore's form;
    "members":  {structure: {member: {"shape": name}}}   members to add to a structure;
    "required": {structure: {"value": [member, ...]}}     a structure's required list, replaced.
A shape or member the installed model already has is left as the model has it (a newer botocore
wins); a member added to a structure the model lacks, or naming a shape that exists nowhere, is an
error. Keys starting with "_" are notes. The tests read the models through apply_overlay() too
(tests/integration/conftest.py, load_service_models), so generated test cases cover the overlay.

The build runs this with Debian's /usr/bin/python3 (CMakeLists.txt) and compiles the output into
the protocol module; the output lives in the build directory only and is never committed or edited.
Run by hand:
    /usr/bin/python3 tools/gen_service_model.py --output /tmp/service_model_data.cc
    /usr/bin/python3 tools/gen_service_model.py --print-models   # the input files (models and
                                                                  # overlay), ';'-separated
    /usr/bin/python3 tools/gen_service_model.py --summary         # counts, for reports

Invariants of the output (service_model.h relies on them):
- shapes are grouped by service, in the order of SERVICES, and sorted by name within a service;
- operations are grouped by service in the same order, and sorted by name within a service;
- indices fit in uint16_t;
- attribute_value_codec is set on the shapes DynamoDB's attribute-value codec reads (the member
  shapes of AttributeValue, the members of its sets, and every map of attribute values), and only
  on shapes that are read nowhere else, so that a shape has one set of error texts.
"""

import argparse
import json
import os
import sys

# (botocore service directory, API version). The target prefix (X-Amz-Target's part before '.')
# comes from each model's metadata.
SERVICES = [("dynamodb", "2012-08-10"), ("dynamodbstreams", "2012-08-10")]

# botocore shape type -> ShapeType enumerator (service_model.h).
SHAPE_TYPES = {
    "structure": "kStructure",
    "list": "kList",
    "map": "kMap",
    "string": "kString",
    "blob": "kBlob",
    "boolean": "kBoolean",
    "integer": "kInteger",
    "long": "kLong",
    "float": "kFloat",
    "double": "kDouble",
    "timestamp": "kTimestamp",
}

ATTRIBUTE_VALUE = "AttributeValue"  # DynamoDB's attribute-value structure (dynamodb service)
DEBIAN_BOTOCORE_DATA = "/usr/lib/python3/dist-packages/botocore/data"
OVERLAY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "service_model_overlay.json")
UINT16_MAX = 65535


class ModelError(Exception):
    pass


def data_dirs():
    """Where botocore's data may be: the imported module's, then Debian's path."""
    dirs = []
    try:
        import botocore  # Debian: python3-botocore

        dirs.append(os.path.join(os.path.dirname(botocore.__file__), "data"))
    except ImportError:
        pass
    if DEBIAN_BOTOCORE_DATA not in dirs:
        dirs.append(DEBIAN_BOTOCORE_DATA)
    return dirs


def load_overlay(path=OVERLAY):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _without_notes(d):
    return {k: v for k, v in d.items() if not k.startswith("_")}


def apply_overlay(service_name, model, overlay=None):
    """Lays the overlay's entries for botocore service `service_name` over `model` (a parsed
    service-2.json, changed in place and returned). See the module docstring for the rules."""
    overlay = load_overlay() if overlay is None else overlay
    entries = overlay.get(service_name, {})
    shapes = model["shapes"]
    for name, shape in entries.get("shapes", {}).items():
        if name not in shapes:
            shapes[name] = _without_notes(shape)
    for structure, members in entries.get("members", {}).items():
        if structure not in shapes or shapes[structure].get("type") != "structure":
            raise ModelError(f"overlay: {service_name} has no structure {structure}")
        for member, target in members.items():
            if target["shape"] not in shapes:
                raise ModelError(f"overlay: {structure}.{member} names an unknown shape "
                                 f"{target['shape']}")
            shapes[structure]["members"].setdefault(member, _without_notes(target))
    for structure, required in entries.get("required", {}).items():
        if structure not in shapes:
            raise ModelError(f"overlay: {service_name} has no structure {structure}")
        shapes[structure]["required"] = list(required["value"])
    return model


def service_name_of(path):
    """The botocore service directory name of a service-2.json path ("dynamodb", ...)."""
    return os.path.basename(os.path.dirname(os.path.dirname(path)))


def model_paths():
    """The service-2.json of every service in SERVICES; exits with a clear message if missing."""
    paths, looked = [], []
    for name, version in SERVICES:
        for d in data_dirs():
            p = os.path.join(d, name, version, "service-2.json")
            looked.append(p)
            if os.path.isfile(p):
                paths.append(p)
                break
        else:
            sys.exit("gen_service_model.py: DynamoDB's service model is missing: none of\n  " +
                     "\n  ".join(looked) +
                     "\nexists. Install Debian's python3-botocore (./cairn.sh deps installs it).")
    return paths


def cxx_string(s):
    """A C++ string literal for s: ASCII printable as is, everything else as octal UTF-8 bytes."""
    out = ['"']
    for b in s.encode("utf-8"):
        c = chr(b)
        if c in '"\\':
            out.append("\\" + c)
        elif 0x20 <= b < 0x7F:
            out.append(c)
        else:
            out.append("\\%03o" % b)
    out.append('"')
    return "".join(out)


def bound(shape_name, shape, key):
    v = shape.get(key)
    if v is None:
        return None
    if isinstance(v, float):
        if not v.is_integer():
            raise ModelError(f"shape {shape_name}: non-integral {key} {v} is not supported")
        v = int(v)
    if not isinstance(v, int) or not -(2**63) <= v < 2**63:
        raise ModelError(f"shape {shape_name}: {key} {v!r} does not fit int64_t")
    return v


class Service:
    """One service model: its operations and the input shapes they reach."""

    def __init__(self, path, overlay=None):
        with open(path, encoding="utf-8") as f:
            model = apply_overlay(service_name_of(path), json.load(f), overlay)
        meta = model["metadata"]
        if meta.get("protocol") != "json":
            raise ModelError(f"{path}: protocol {meta.get('protocol')!r}, expected 'json'")
        self.path = path
        self.target_prefix = meta["targetPrefix"]
        self.shapes = model["shapes"]
        self.operations = {}  # operation name -> input shape name
        for name, op in sorted(model["operations"].items()):
            if "input" not in op:
                raise ModelError(f"{path}: operation {name} has no input shape")
            self.operations[name] = op["input"]["shape"]
        self.reached = set()
        for input_shape in self.operations.values():
            self.reach(input_shape)

    def reach(self, name):
        stack = [name]
        while stack:
            n = stack.pop()
            if n in self.reached:
                continue
            if n not in self.shapes:
                raise ModelError(f"{self.path}: shape {n} is referenced but not defined")
            self.reached.add(n)
            s = self.shapes[n]
            t = s["type"]
            if t not in SHAPE_TYPES:
                raise ModelError(f"{self.path}: shape {n} has unsupported type {t!r}")
            if t == "structure":
                stack.extend(m["shape"] for m in s["members"].values())
            elif t == "list":
                stack.append(s["member"]["shape"])
            elif t == "map":
                stack.extend([s["key"]["shape"], s["value"]["shape"]])

    def codec_shapes(self):
        """The shapes read by DynamoDB's attribute-value codec (see the module docstring)."""
        if ATTRIBUTE_VALUE not in self.reached:
            return set()
        av = self.shapes[ATTRIBUTE_VALUE]
        codec = set()
        for m in av["members"].values():
            target = m["shape"]
            codec.add(target)
            s = self.shapes[target]
            if s["type"] == "list" and s["member"]["shape"] != ATTRIBUTE_VALUE:
                codec.add(s["member"]["shape"])  # SS, NS, BS members
        for n in self.reached:
            s = self.shapes[n]
            if s["type"] == "map" and s["value"]["shape"] == ATTRIBUTE_VALUE:
                codec.add(n)
        # A codec shape other than a map of attribute values must be read only inside an attribute
        # value; otherwise one shape would need two sets of texts.
        for n in sorted(self.reached):
            s = self.shapes[n]
            if n == ATTRIBUTE_VALUE or n in codec:
                continue
            if s["type"] == "structure":
                targets = [m["shape"] for m in s["members"].values()]
            elif s["type"] == "list":
                targets = [s["member"]["shape"]]
            elif s["type"] == "map":
                targets = [s["key"]["shape"], s["value"]["shape"]]
            else:
                targets = []
            for t in targets:
                if t in codec and self.shapes[t]["type"] != "map":
                    raise ModelError(f"{self.path}: shape {t} is read by the attribute-value "
                                     f"codec and also by {n}")
        return codec


def generate(services):
    """Returns (C++ source text, summary dict)."""
    shapes = []       # (service, name, shape dict, codec flag)
    index = {}        # (service index, shape name) -> shape index
    for si, svc in enumerate(services):
        codec = svc.codec_shapes()
        for name in sorted(svc.reached):
            index[(si, name)] = len(shapes)
            shapes.append((si, name, svc.shapes[name], name in codec))

    members, enums, shape_lines = [], [], []
    for si, name, s, codec in shapes:
        svc = services[si]
        t = s["type"]
        # Every field, in the order of struct Shape (g++ warns of omitted ones).
        f = {"name": cxx_string(name), "type": f"ShapeType::{SHAPE_TYPES[t]}",
             "is_attribute_value": "true" if si == 0 and name == ATTRIBUTE_VALUE else "false",
             "attribute_value_codec": "true" if codec else "false",
             "members_begin": "0", "members_end": "0", "element": "0", "key": "0", "value": "0",
             "enums_begin": "0", "enums_end": "0", "min": "std::nullopt", "max": "std::nullopt",
             "pattern": '""'}
        if t == "structure":
            begin = len(members)
            required = set(s.get("required", []))
            for mname, m in s["members"].items():
                members.append((mname, index[(si, m["shape"])], mname in required))
            unknown = required - set(s["members"])
            if unknown:
                raise ModelError(f"{svc.path}: {name} requires unknown members {sorted(unknown)}")
            f["members_begin"], f["members_end"] = str(begin), str(len(members))
        elif t == "list":
            f["element"] = str(index[(si, s["member"]["shape"])])
        elif t == "map":
            f["key"] = str(index[(si, s["key"]["shape"])])
            f["value"] = str(index[(si, s["value"]["shape"])])
        if "enum" in s:
            f["enums_begin"] = str(len(enums))
            enums.extend(s["enum"])
            f["enums_end"] = str(len(enums))
        for key in ("min", "max"):
            v = bound(name, s, key)
            if v is not None:
                f[key] = f"int64_t{{{v}}}"
        if "pattern" in s:
            f["pattern"] = cxx_string(s["pattern"])
        fields = list(f.values())
        shape_lines.append("    {" + ", ".join(fields) + "},")

    operations = []
    service_lines = []
    for si, svc in enumerate(services):
        shapes_begin = min(i for (s, _), i in index.items() if s == si)
        shapes_end = max(i for (s, _), i in index.items() if s == si) + 1
        ops_begin = len(operations)
        for op, input_shape in sorted(svc.operations.items()):
            operations.append((svc.target_prefix, op, index[(si, input_shape)]))
        service_lines.append(
            f"    {{{cxx_string(svc.target_prefix)}, {shapes_begin}, {shapes_end}, {ops_begin}, "
            f"{len(operations)}}},")

    for what, n in (("shapes", len(shapes)), ("members", len(members)), ("enums", len(enums))):
        if n > UINT16_MAX:
            raise ModelError(f"{n} {what} do not fit the uint16_t indices of service_model.h")

    out = []
    out.append("// GENERATED by tools/gen_service_model.py from botocore's service models; do not "
               "edit.")
    for svc in services:
        out.append(f"//   {svc.path}")
    out.append("// See src/protocol/service_model.h for what these tables mean.")
    out.append('#include "protocol/service_model.h"')
    out.append("")
    out.append("namespace cairn::protocol::service_model_data {")
    out.append("")
    out.append("// clang-format off")
    out.append("// {name, type, is_attribute_value, attribute_value_codec, members_begin,")
    out.append("//  members_end, element, key, value, enums_begin, enums_end, min, max, pattern}")
    out.append("constinit const Shape kShapes[] = {")
    for i, line in enumerate(shape_lines):
        out.append(line + f"  // {i}")
    out.append("};")
    out.append(f"const size_t kShapeCount = {len(shapes)};")
    out.append("")
    out.append("constinit const ShapeMember kMembers[] = {")
    for mname, target, req in members:
        out.append(f"    {{{cxx_string(mname)}, {target}, {'true' if req else 'false'}}},")
    out.append("};")
    out.append(f"const size_t kMemberCount = {len(members)};")
    out.append("")
    out.append("constinit const std::string_view kEnumValues[] = {")
    for e in enums:
        out.append(f"    {cxx_string(e)},")
    if not enums:
        out.append('    "",')
    out.append("};")
    out.append(f"const size_t kEnumValueCount = {len(enums)};")
    out.append("")
    out.append("constinit const ModelOperation kOperations[] = {")
    for prefix, op, input_index in operations:
        out.append(f"    {{{cxx_string(prefix)}, {cxx_string(op)}, {input_index}}},")
    out.append("};")
    out.append(f"const size_t kOperationCount = {len(operations)};")
    out.append("")
    out.append("constinit const ModelService kServices[] = {")
    out.extend(service_lines)
    out.append("};")
    out.append(f"const size_t kServiceCount = {len(services)};")
    out.append("// clang-format on")
    out.append("")
    out.append("}  // namespace cairn::protocol::service_model_data")
    summary = {
        "services": len(services),
        "operations": len(operations),
        "shapes": len(shapes),
        "members": len(members),
        "enum_values": len(enums),
        "codec_shapes": sum(1 for s in shapes if s[3]),
        "by_service": {svc.target_prefix: {"operations": len(svc.operations),
                                            "shapes": len(svc.reached)} for svc in services},
    }
    return "\n".join(out) + "\n", summary


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output", help="the C++ file to write (written only if it changes)")
    parser.add_argument("--print-models", action="store_true",
                        help="print the model files read, separated by ';', and exit")
    parser.add_argument("--summary", action="store_true", help="print the counts as JSON")
    args = parser.parse_args()

    paths = model_paths()
    if args.print_models:
        print(";".join(paths + [OVERLAY]), end="")  # what the output depends on
        return
    try:
        overlay = load_overlay()
        text, summary = generate([Service(p, overlay) for p in paths])
    except (ModelError, KeyError, ValueError) as e:
        sys.exit(f"gen_service_model.py: cannot read the service model: {e!r}")
    if args.output:
        old = None
        if os.path.exists(args.output):
            with open(args.output, encoding="utf-8") as f:
                old = f.read()
        if old != text:
            os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
            tmp = args.output + ".tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, args.output)
    if args.summary:
        print(json.dumps(summary, indent=2))
    if not args.output and not args.summary:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
