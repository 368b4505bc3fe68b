#!/usr/bin/env python3
"""Write libsockscope's linker version script from the public header: exactly
the functions declared in include/sockscope/sockscope.h are exported, so
internal sks_* helpers shared between stages stay private."""
import re
import sys

header, out = sys.argv[1], sys.argv[2]
text = open(header).read()
text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
# a declaration: return type, then sks_name( at the start of a declarator
names = sorted(set(re.findall(r"^[a-z_][\w \*]*?\b(sks_\w+)\s*\(", text, flags=re.M)))
names = [n for n in names if not n.endswith("_fn")]
with open(out, "w") as f:
    f.write("SOCKSCOPE_0.1 {\nglobal:\n")
    for n in names:
        f.write(f"\t{n};\n")
    f.write("local:\n\t*;\n};\n")
