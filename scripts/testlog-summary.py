#!/usr/bin/env python3
"""Print 'N passed, N failed' from meson's testlog.json (skips count as failed:
a skipped test proved nothing)."""
import json
import sys

passed = failed = skipped = 0
with open(sys.argv[1]) as f:
    for line in f:
        line = line.strip()
        if not line:
            continue
        r = json.loads(line)["result"]
        if r in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r == "SKIP":
            skipped += 1
            print(f"skipped (counted as failed): {json.loads(line)['name']}")
        else:
            failed += 1
print(f"{passed} passed, {failed + skipped} failed")
sys.exit(1 if failed + skipped else 0)
