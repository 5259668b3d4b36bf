"""Prints one reactor-wide test total from the Surefire XML reports."""
import glob
import xml.etree.ElementTree as ET

tests = failures = errors = skipped = 0
for path in glob.glob("*/target/surefire-reports/TEST-*.xml"):
    root = ET.parse(path).getroot()
    tests += int(root.get("tests", 0))
    failures += int(root.get("failures", 0))
    errors += int(root.get("errors", 0))
    skipped += int(root.get("skipped", 0))
passed = tests - failures - errors - skipped
print(f"{passed} passed, {failures + errors} failed, {skipped} skipped")
