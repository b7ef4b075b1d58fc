"""Schema tools for tests/schema_validation.rs, on the
xmlschema package (an XSD 1.0 validator not written here).

    xsd.py instances [--base64-text t:TYPE,...] SCHEMA_DIR OUT_DIR ELEMENT...
        For each messages element named, writes OUT_DIR/ELEMENT.xml: a smallest instance
        that is valid per messages.xsd (required attributes and elements only, the first
        alternative of a choice that can be built, the first value a simple type accepts),
        checked valid before it is written; and OUT_DIR/ELEMENT.full.xml with the optional
        attributes and elements of the first levels too, when a valid one is found. The
        text of the types named by --base64-text (of the types namespace), which the
        protocol defines as base64 though the schema says xs:string, is base64.

    xsd.py headers WSDL
        Prints, for each operation of the WSDL's SOAP binding, the request header elements
        the binding declares: `Operation: Header,Header`, sorted.

    xsd.py validate SCHEMA_DIR FILE...
        Validates SOAP envelopes: each header element and the body element against the
        schema (messages.xsd and the types.xsd it includes). Prints one line per problem,
        `FILE: message`, and exits 1 if there was any.
"""

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import xmlschema
from xmlschema.validators import XsdAnyElement, XsdElement, XsdGroup

M = "http://schemas.microsoft.com/exchange/services/2006/messages"
T = "http://schemas.microsoft.com/exchange/services/2006/types"
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"

# Values tried, in order, for a simple type without an enumeration; the first it accepts
# is used. Booleans get `false` rather than `0`: the test compares what was read with what
# is written back, and the writer writes the canonical form.
CANDIDATES = [
    "x",
    "false",
    "0",
    "1",
    "2026-01-01T00:00:00Z",
    "2026-01-01",
    "00:00:00",
    "PT0S",
    "AA==",
    "00",
    "http://example.com/",
    "en-US",
    "00000000-0000-0000-0000-000000000000",
    "0x0",
    "a_b",
    "15.0",
    "xs:string",
]

MAX_DEPTH = 24


class CannotBuild(Exception):
    pass


def value_for(simple_type):
    enumeration = getattr(simple_type, "enumeration", None)
    if enumeration:
        return str(enumeration[0])
    item_type = getattr(simple_type, "item_type", None)
    if item_type is not None:
        return value_for(item_type)
    member_types = getattr(simple_type, "member_types", None)
    if member_types:
        return value_for(member_types[0])
    for candidate in CANDIDATES:
        if simple_type.is_valid(candidate):
            return candidate
    raise CannotBuild(f"no candidate value fits {simple_type}")


class Builder:
    """Builds instances; `optional_depth` is how deep optional attributes and elements are
    filled in too (-1: none, the smallest instance)."""

    def __init__(self, schema, optional_depth=-1, base64_texts=()):
        self.schema = schema
        self.optional_depth = optional_depth
        self.base64_texts = base64_texts

    def wanted(self, min_occurs, depth):
        return min_occurs > 0 or depth <= self.optional_depth

    def element(self, decl, depth):
        if depth > MAX_DEPTH:
            raise CannotBuild("too deep")
        decl = self.concrete(decl)
        node = ET.Element(decl.name)
        xsd_type = decl.type
        if xsd_type.is_simple():
            node.text = value_for(xsd_type)
            return node
        for name, attribute in xsd_type.attributes.items():
            required = attribute.use == "required"
            wanted = required or (attribute.use == "optional" and depth <= self.optional_depth)
            if name and not name.startswith("{") and wanted:
                node.set(name, value_for(attribute.type))
        if xsd_type.has_simple_content() and xsd_type.name in self.base64_texts:
            node.text = "eA=="
        elif xsd_type.has_simple_content():
            node.text = value_for(xsd_type.content)
        elif isinstance(xsd_type.content, XsdGroup):
            node.extend(self.group(xsd_type.content, depth + 1))
        return node

    def concrete(self, decl):
        """An element that may stand for `decl`: itself, or for an abstract head (or one of
        an abstract type) the first member of its substitution group that is neither."""
        def usable(e):
            return not e.abstract and not getattr(e.type, "abstract", False)

        if usable(decl):
            return decl
        for member in self.schema.maps.substitution_groups.get(decl.name, ()):
            if usable(member):
                return member
        raise CannotBuild(f"no concrete substitute for {decl.name}")

    def particle(self, particle, depth):
        if isinstance(particle, XsdGroup):
            return self.group(particle, depth)
        if isinstance(particle, XsdAnyElement):
            raise CannotBuild("a required wildcard")
        if isinstance(particle, XsdElement):
            return [self.element(particle, depth)]
        raise CannotBuild(f"unknown particle {particle!r}")

    def group(self, group, depth):
        if not self.wanted(group.min_occurs, depth):
            return []
        out = []
        for _ in range(max(group.min_occurs, 1)):
            if group.model == "choice":
                out.extend(self.choice(group, depth))
                continue
            for particle in group:
                if not self.wanted(particle.min_occurs, depth):
                    continue
                try:
                    for _ in range(max(particle.min_occurs, 1)):
                        out.extend(self.particle(particle, depth))
                except CannotBuild:
                    if particle.min_occurs > 0:
                        raise
        return out

    def choice(self, group, depth):
        problems = []
        for particle in group:
            try:
                return self.particle_at_least_once(particle, depth)
            except CannotBuild as e:
                problems.append(str(e))
        raise CannotBuild(f"no alternative of a choice can be built: {problems}")

    def particle_at_least_once(self, particle, depth):
        out = []
        for _ in range(max(particle.min_occurs, 1)):
            out.extend(self.particle(particle, depth))
        return out


def instances(schema_dir, out_dir, names, base64_texts=()):
    """Writes NAME.xml, the smallest instance, and NAME.full.xml, one with the optional
    content of the first levels filled in (left out when no valid one is found)."""
    schema = xmlschema.XMLSchema(str(Path(schema_dir) / "messages.xsd"))
    ET.register_namespace("m", M)
    ET.register_namespace("t", "http://schemas.microsoft.com/exchange/services/2006/types")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    failed = False
    for name in names:
        decl = schema.elements[name]
        try:
            node = Builder(schema, base64_texts=base64_texts).element(decl, 0)
        except CannotBuild as e:
            print(f"{name}: cannot build an instance: {e}")
            failed = True
            continue
        errors = [str(e.reason or e) for e in schema.iter_errors(node)]
        if errors:
            print(f"{name}: the instance built is not valid: {errors[0]}")
            failed = True
            continue
        (out / f"{name}.xml").write_bytes(ET.tostring(node, encoding="utf-8"))
        for depth in (6, 5, 4, 3, 2, 1):
            try:
                node = Builder(schema, depth, base64_texts).element(decl, 0)
            except CannotBuild:
                continue
            if schema.is_valid(node):
                (out / f"{name}.full.xml").write_bytes(ET.tostring(node, encoding="utf-8"))
                break
    return 1 if failed else 0


def validate(schema_dir, files):
    schema = xmlschema.XMLSchema(str(Path(schema_dir) / "messages.xsd"))
    failed = False
    for file in files:
        root = ET.parse(file).getroot()
        # The prefixes the document declares, for QName values such as xsi:type (the
        # elements validated are taken out of the document).
        prefixes = dict(ev[1] for ev in ET.iterparse(file, events=["start-ns"]))
        if root.tag != f"{{{SOAP}}}Envelope":
            print(f"{file}: the root is {root.tag}, not a SOAP envelope")
            failed = True
            continue
        parts = []
        for child in root:
            if child.tag in (f"{{{SOAP}}}Header", f"{{{SOAP}}}Body"):
                parts.extend(list(child))
        if not any(p.tag.startswith(f"{{{M}}}") for p in parts):
            print(f"{file}: no messages element in the body")
            failed = True
        for part in parts:
            for error in schema.iter_errors(part, namespaces=prefixes):
                print(f"{file}: {part.tag}: {error.reason} at {error.path}")
                failed = True
    return 1 if failed else 0


def headers(wsdl):
    w = "{http://schemas.xmlsoap.org/wsdl/}"
    soap = "{http://schemas.xmlsoap.org/wsdl/soap/}"
    root = ET.parse(wsdl).getroot()
    parts = {}
    for message in root.iter(f"{w}message"):
        for part in message.iter(f"{w}part"):
            element = part.get("element", "")
            parts[(message.get("name"), part.get("name"))] = element.split(":")[-1]
    for binding in root.iter(f"{w}binding"):
        for operation in binding.iter(f"{w}operation"):
            names = set()
            for header in operation.find(f"{w}input").iter(f"{soap}header"):
                message = header.get("message").split(":")[-1]
                names.add(parts[(message, header.get("part"))])
            print(f"{operation.get('name')}: {','.join(sorted(names))}")
    return 0


def main(argv):
    if len(argv) >= 5 and argv[0] == "instances" and argv[1] == "--base64-text":
        types = {f"{{{T}}}{name.removeprefix('t:')}" for name in argv[2].split(",")}
        return instances(argv[3], argv[4], argv[5:], types)
    if len(argv) >= 3 and argv[0] == "instances":
        return instances(argv[1], argv[2], argv[3:])
    if len(argv) == 2 and argv[0] == "headers":
        return headers(argv[1])
    if len(argv) >= 2 and argv[0] == "validate":
        return validate(argv[1], argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
