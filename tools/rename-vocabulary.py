#!/usr/bin/env python3
"""One vocabulary across Core, Web and tests (issue 14). Re-runnable: run it from the repository root after merging
other branches (it renames whatever still carries an old name, and does nothing once all are renamed).

The words:
- AccessControl names the module's types and files (AccessControlList is one list). "acl" stays only as the short
  name of a variable or parameter holding one list or its id (aclId), and in URLs (/acl), which do not change.
- I<Module>Reads is the interface a page reads through, each read checking the caller's permission;
  <Module>Queries is the Marten-backed class that implements it; Fake<Module>Reads is a test's stand-in.
  A "query" on its own is one request object (WalletListQuery, AuditFilter).
"""
import pathlib, re, subprocess

RENAMES = {
    # Acl -> AccessControl (types; files named after them follow)
    'AclDetailPage': 'AccessControlDetailPage',
    'AclListPage': 'AccessControlListsPage',
    'AclCommandDialog': 'AccessControlCommandDialog',
    'AclFromEvents': 'AccessControlFromEvents',
    'AclIntegrityHealthCheck': 'AccessControlIntegrityHealthCheck',
    'AclViewEntry': 'AccessControlViewEntry',
    'AclEntry': 'AccessControlEntry',
    'IAclCommands': 'IAccessControlCommands',
    'FakeAclCommands': 'FakeAccessControlCommands',
    'AclCall': 'AccessControlCall',
    'AclDetailPageTests': 'AccessControlDetailPageTests',
    'AclListPageTests': 'AccessControlListsPageTests',
    'AclJourneyTests': 'AccessControlJourneyTests',
    'AclReadModelForgeryTests': 'AccessControlReadModelForgeryTests',
    'AclFakes': 'AccessControlFakes',
    # Reads (interface) / Queries (implementation)
    'IAclQueries': 'IAccessControlReads',
    'FakeAclQueries': 'FakeAccessControlReads',
    'ScriptedAclQueries': 'ScriptedAccessControlReads',
    'IAuditReader': 'IAuditReads',
    'FakeAuditReader': 'FakeAuditReads',
    'AuditReaderTestContext': 'AuditReadsTestContext',
    'IStreamStates': 'IStreamStateReads',
    'StreamStateReader': 'StreamStateQueries',
}
TEXT = ('.cs', '.razor', '.cshtml', '.md', '.json', '.csproj', '.props', '.sh', '.yml', '.yaml')
pattern = re.compile(r'\b(' + '|'.join(sorted(map(re.escape, RENAMES), key=len, reverse=True)) + r')\b')

files = subprocess.run(['git', 'ls-files', '-co', '--exclude-standard'], capture_output=True, text=True, check=True).stdout.split()
for name in files:
    path = pathlib.Path(name)
    if path.suffix not in TEXT or not path.exists() or path.name == 'rename-vocabulary.py': continue
    text = path.read_text()
    new = pattern.sub(lambda m: RENAMES[m.group(1)], text)
    if new != text:
        path.write_text(new)
        print(f'edited {name}')

for name in files:
    path = pathlib.Path(name)
    stem = path.name.split('.')[0]
    if stem in RENAMES and path.exists():
        target = path.with_name(RENAMES[stem] + path.name[len(stem):])
        subprocess.run(['git', 'mv', str(path), str(target)], check=True)
        print(f'moved {name} -> {target}')
