#!/usr/bin/env python3
"""Renames PascalCase test names (GivenX_WhenY_ThenZ) to the Given_x_When_y_Then_z style that
tests/Directory.Build.props names. Idempotent: re-run it after merging other branches.
Leaves alone the files other helpers own (Overview, charts, IntegrationTests/Projections, Benchmarks):
drop them from `skip` once those branches are merged."""
import pathlib, re, sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else '.')
skip = ('/Overview/', 'OverviewTests.cs', 'Web.Tests/Charts/', 'IntegrationTests/Projections/', 'AuditPortal.Benchmarks/', '/obj/', '/bin/')
word = re.compile(r'[A-Z]{2,}(?=[A-Z][a-z]|\d|_|$)|[A-Z]?[a-z]+|[A-Z]|\d+')
name = re.compile(r'(public (?:async )?(?:Task|void) )(Given[A-Z]\w*?)(\()')

def convert(n: str) -> str:
    parts = []
    for part in n.split('_'):
        words = word.findall(part)
        head, rest = words[0], words[1:]  # Given / When / Then
        parts.append('_'.join([head] + [w if w.isupper() and len(w) > 1 else w.lower() for w in rest]))
    return '_'.join(parts)

for f in root.glob('tests/**/*.cs'):
    p = f.as_posix()
    if any(s in p for s in skip): continue
    text = f.read_text()
    new = name.sub(lambda m: m.group(1) + convert(m.group(2)) + m.group(3), text)
    if new != text:
        f.write_text(new)
        print(f'renamed test names in {p}')
