#!/usr/bin/env python3
"""Rewrites an OpenAPI 3.1 document (what `codegen openapi` exports) as 3.0, for generators
that read only 3.0 (cargo-progenitor 0.15). Benchmarks only: the comparison needs both
generators to read the same API.

- `type: [T, "null"]` becomes `type: T, nullable: true`; a list of several non-null types
  becomes `oneOf` of each (3.0 has no type lists);
- `anyOf: [S, {type: null}]` becomes S with `nullable: true` (a `$ref` inside `allOf`);
- an operation's `default` response (the vendor's error envelope) is dropped: progenitor
  0.15 counts it among the success types and refuses two (its `method.rs` asserts one);
- `const: v` becomes `enum: [v]`; `examples: [...]` on a schema becomes `example`.

Usage: openapi31_to_30.py IN.json > OUT.json
"""
import json
import sys


# Maps whose keys are names (a field called `const` or `type`), not schema keywords: only
# their values are rewritten.
NAMED = {"properties", "schemas", "$defs", "patternProperties"}


def schema(node):
    if isinstance(node, list):
        return [schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {
        k: {name: schema(s) for name, s in v.items()}
        if k in NAMED and isinstance(v, dict)
        else schema(v)
        for k, v in node.items()
    }
    types = node.get("type")
    if isinstance(types, list):
        nullable = "null" in types
        rest = [t for t in types if t != "null"]
        del node["type"]
        if len(rest) == 1:
            node["type"] = rest[0]
        elif rest:
            node["oneOf"] = [{"type": t} for t in rest]
        if nullable:
            node["nullable"] = True
    for key in ("anyOf", "oneOf"):
        options = node.get(key)
        if isinstance(options, list) and {"type": "null"} in options:
            rest = [o for o in options if o != {"type": "null"}]
            del node[key]
            if len(rest) == 1:
                only = rest[0]
                node.update({"allOf": [only]} if "$ref" in only else only)
            else:
                node[key] = rest
            node["nullable"] = True
    if "const" in node:
        node["enum"] = [node.pop("const")]
    if isinstance(node.get("examples"), list):
        examples = node.pop("examples")
        if examples:
            node["example"] = examples[0]
    return node


doc = json.load(open(sys.argv[1]))
doc["openapi"] = "3.0.3"
for item in doc.get("paths", {}).values():
    for op in item.values():
        if isinstance(op, dict):
            op.get("responses", {}).pop("default", None)
json.dump(schema(doc), sys.stdout, ensure_ascii=False, indent=1)
