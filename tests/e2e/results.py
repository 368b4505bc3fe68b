# SPDX-License-Identifier: LGPL-2.1-or-later
"""The tally every Python end-to-end check shares: one 'ok'/'FAIL' line per
check (with the detail of a failure indented below it), 'note' lines for what
is worth saying but decides nothing, and a closing 'N passed, N failed'."""
import sys


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, cond, what, detail=''):
        if cond:
            self.passed += 1
            print(f'ok   {what}')
        else:
            self.failed += 1
            print(f'FAIL {what}')
            if detail:
                for line in str(detail).rstrip('\n').split('\n'):
                    print(f'     {line}')
        sys.stdout.flush()
        return cond

    def note(self, msg):
        print(f'note {msg}', flush=True)

    def finish(self):
        print(f'{self.passed} passed, {self.failed} failed', flush=True)
        return 1 if self.failed else 0
