"""Derives the case list of tests/xmlconf.rs from the catalogs of the W3C XML Conformance
Test Suite (the unmodified xmlts20130923.zip, read without unpacking).

    xmlconf_cases.py ZIP > tests/xmlconf/cases.tsv

Each line is `ID<TAB>EXPECT<TAB>PATH` (PATH inside the zip), for what a reader of UTF-8 that
refuses DTDs and reads namespaces can be judged on:
- `refuse`: a not-wf document of XML 1.0 (fifth edition: a test limited to editions 1 to 4
  is left out) or Namespaces 1.0, with ENTITIES="none" and no DOCTYPE;
- `accept`: a valid or invalid (so well-formed) document of those recommendations without a
  DOCTYPE, and the canonical output of a valid one, when it is UTF-8 (no byte-order mark of
  UTF-16, no other encoding declared): the reader reads UTF-8 only.
Documents with a DOCTYPE are left out: the reader refuses every one, whatever its flaw.
"""

import posixpath
import re
import sys
import zipfile

RECOMMENDATIONS = {"XML1.0", "XML1.0-errata2e", "XML1.0-errata3e", "XML1.0-errata4e", "NS1.0"}


def attributes(tag):
    return {k: v1 or v2 for k, v1, v2 in re.findall(r'(\w+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')', tag)}


def utf8(data):
    if data[:2] in (b"\xfe\xff", b"\xff\xfe"):
        return False
    declaration = re.match(rb'<\?xml[^>]*encoding\s*=\s*["\']([^"\']+)', data)
    return declaration is None or declaration.group(1).lower() in (b"utf-8", b"utf8")


def main(path):
    archive = zipfile.ZipFile(path)
    names = set(archive.namelist())
    suite = archive.read("xmlconf/xmlconf.xml").decode("utf-8")
    entities = dict(re.findall(r'<!ENTITY\s+(\S+)\s+SYSTEM\s+"([^"]+)"', suite))
    body = suite[suite.index("<TESTSUITE") :]
    cases = []
    for base, inner in re.findall(r'<TESTCASES[^>]*xml:base="([^"]*)"[^>]*>(.*?)</TESTCASES>', body, re.S):
        for entity in re.findall(r"&([\w.-]+);", inner):
            catalog = archive.read("xmlconf/" + entities[entity]).decode("utf-8", "replace")
            for tag in re.findall(r"<TEST\b([^>]*)>", catalog):
                test = attributes(tag)
                if test.get("RECOMMENDATION", "XML1.0") not in RECOMMENDATIONS:
                    continue
                if test.get("NAMESPACE", "yes") == "no" or test.get("ENTITIES", "none") != "none":
                    continue
                if "EDITION" in test and "5" not in test["EDITION"].split():
                    continue
                # The misc catalog names its base wrongly: its files are in eduni/misc/.
                directory = "eduni/misc/" if base == "eduni/namespaces/misc/" else base
                kind = test.get("TYPE")
                for uri, expect in [(test["URI"], "refuse" if kind == "not-wf" else "accept"),
                                    (test.get("OUTPUT"), "accept")]:
                    if uri is None or (expect == "accept" and kind not in ("valid", "invalid")):
                        continue
                    name = posixpath.normpath("xmlconf/" + directory + uri)
                    if name not in names:
                        continue
                    data = archive.read(name)
                    if b"<!DOCTYPE" in data:
                        continue
                    if expect == "accept" and not utf8(data):
                        continue
                    suffix = "" if uri == test["URI"] else "#output"
                    cases.append((test["ID"] + suffix, expect, name))
    for case in sorted(set(cases), key=lambda c: c[2]):
        print("\t".join(case))


if __name__ == "__main__":
    main(sys.argv[1])
