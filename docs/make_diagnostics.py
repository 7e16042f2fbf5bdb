#!/usr/bin/env python3
"""Writes docs/diagnostics.md: one section per diagnostic code, with a minimal input, the message shirube prints
for it (by running the binary on that input), and the fix.

    cargo build && python3 docs/make_diagnostics.py    # SHIRUBE=path/to/shirube to use another binary

Run it after adding a code or changing a message; `cargo test --test testsuite codes::` checks that the page has
one section per code of `ALL_CODES`. A few codes cannot be caused on demand (an unreadable file, for one): their
examples are written out in MANUAL below.
"""
import os, subprocess, tempfile, shutil, re, sys
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
B = os.environ.get('SHIRUBE') or os.path.join(os.environ.get('CARGO_TARGET_DIR') or os.path.join(REPO, 'target'), 'debug', 'shirube')
CFG='title: Guide\n'
def pb(front, body='Steps.\n'):
    return '---\n'+front+'---\n'+body
A='playbooks/onboarding/a.md'
OK={ 'shirube.yaml': CFG }
GATED='title: Guide\nproof:\n  gate: [playbook]\n'
MAN=lambda body: {'shirube.yaml':GATED, A: pb('title: A\nphase: onboarding\n'), 'manifest.yaml': body}
CSV_OK='Deal,Segment,Closed,Stage,Playbooks\n'
def csv(rows, header=CSV_OK): return header+rows
MAP='id=Deal,tier=Segment,date=Closed,outcome=Stage,pages=Playbooks'
FB='Page URL,Was this helpful?,Date\n'
C=[]
def case(code, meaning, fix, files, args=('check',), env=None, raw=None):
    C.append(dict(code=code, meaning=meaning, fix=fix, files=files, args=list(args), env=env or {}, raw=raw))
def site(*pairs, cfg=CFG):
    d={'shirube.yaml':cfg}
    for i in range(0,len(pairs),2): d[pairs[i]]=pairs[i+1]
    return d
B_ = 'playbooks/onboarding/b.md'
case('alias-clash','An alias (an old URL in `aliases:`) is already the URL of a page or of a file shirube writes.','Remove the alias, or move the page that has that URL.',
  site(A,pb('title: A\nphase: onboarding\naliases: [/playbooks/onboarding/b/]\n'),B_,pb('title: B\nphase: onboarding\n')))
case('alias-is-own-url','An alias is the URL the page has now, so it would redirect to itself.','Remove it: an alias is an old URL that redirects to the page.',
  site(A,pb('title: A\nphase: onboarding\naliases: [/playbooks/onboarding/a/]\n')))
case('ambiguous-date','A date in an imported CSV (`prove --from`, `report --feedback`) can be read both month-first and day-first.','Say the order with `--date-format mdy` or `--date-format dmy` (or `date_format:` under `mapping:` in shirube.yaml).',
  dict(MAN('engagements: []\n'),**{'deals.csv':csv('D1,Low,3/4/2026,Won,playbooks/onboarding/a.md\n')}),('prove','--from','deals.csv','--map',MAP,'--value','outcome:Won=success','--dry-run'))
case('ambiguous-page','A page named in an imported CSV by its title matches several pages.','Name the page by its path instead.',
  dict(site(A,pb('title: Same\nphase: onboarding\n'),B_,pb('title: Same\nphase: onboarding\n'),cfg=GATED),**{'manifest.yaml':'engagements: []\n','deals.csv':csv('D1,low,2026-10-01,success,Same\n')}),('prove','--from','deals.csv','--map',MAP,'--dry-run'))
case('conflicting-rows','Two rows of one engagement in an imported CSV disagree (another tier, date or outcome).','Give every row of one engagement the same values, or each engagement its own id.',
  dict(MAN('engagements: []\n'),**{'deals.csv':csv('D1,low,2026-10-01,success,playbooks/onboarding/a.md\nD1,mid,2026-10-01,success,playbooks/onboarding/a.md\n')}),('prove','--from','deals.csv','--map',MAP,'--dry-run'))
case('control-character','A cell of an imported CSV holds a line break or another control character where one line of text is expected.','Write the value on one line, without tabs or control characters.',
  dict(MAN('engagements: []\n'),**{'deals.csv':csv('"D\n1",low,2026-10-01,success,playbooks/onboarding/a.md\n')}),('prove','--from','deals.csv','--map',MAP,'--dry-run'))
case('duplicate-engagement-id','Two engagements in the manifest have the same id.','Give each engagement its own id.',
  MAN('engagements:\n  - id: E1\n    tier: low\n    date: 2026-10-01\n    used: [playbooks/onboarding/a.md]\n  - id: E1\n    tier: low\n    date: 2026-10-02\n    used: [playbooks/onboarding/a.md]\n'))
case('duplicate-heading-id','Two headings of a page have the same id (`{#id}`), so a link to it only ever reaches the first.','Give each heading its own `{#id}`.',
  site(A,pb('title: A\nphase: onboarding\n','# Start {#go}\n\n# Again {#go}\n')))
case('duplicate-id','A phase or tier id is listed twice in shirube.yaml.','Ids must be unique: rename or remove one of them.',
  site(cfg='title: Guide\nphases:\n  - id: start\n  - id: start\n'))
case('duplicate-key','A key appears twice in the same YAML mapping (front matter, shirube.yaml, the manifest).','Each key may appear once: remove or merge the other one.',
  site(A,pb('title: A\ntitle: B\nphase: onboarding\n')))
case('duplicate-synonym','A search synonym is listed twice, in its group or in two groups.','List each term once: merge the two groups, or remove one of them.',
  site(cfg='title: Guide\nsearch:\n  synonyms:\n    - [MFA, 2FA]\n    - [2fa, two-factor]\n'))
case('duplicate-use','An engagement lists the same page twice in `used:`; it counts once.','Remove the repeated entry.',
  MAN('engagements:\n  - id: E1\n    tier: low\n    date: 2026-10-01\n    used:\n      - playbooks/onboarding/a.md\n      - playbooks/onboarding/a.md\n'))
case('empty-file','An imported CSV (`prove --from`, `report --feedback`) has no rows, not even a header.','Export the file again, with its header row.',
  dict(MAN('engagements: []\n'),**{'deals.csv':''}),('prove','--from','deals.csv','--map',MAP,'--dry-run'))
case('empty-id','A row of an imported CSV has no engagement id.','Give every row the id of its engagement (opportunity, deal or ticket).',
  dict(MAN('engagements: []\n'),**{'deals.csv':csv(',low,2026-10-01,success,playbooks/onboarding/a.md\n')}),('prove','--from','deals.csv','--map',MAP,'--dry-run'))
case('empty-phases','`phases:` in shirube.yaml is an empty list.','List at least one phase, or remove `phases:` to use the defaults.',
  site(cfg='title: Guide\nphases: []\n'))
case('empty-slug','`slug:` is empty.','Write the last part of the page\'s URL after `slug:`, or remove the line.',
  site(A,pb('title: A\nphase: onboarding\nslug: ""\n')))
case('empty-synonym','A search synonym has no letters or digits, so there is nothing to search for.','Write a word or a phrase, or remove it.',
  site(cfg='title: Guide\nsearch:\n  synonyms:\n    - [MFA, "。"]\n'))
case('empty-tiers','`tiers:` in shirube.yaml is an empty list.','List at least one tier, or remove `tiers:` to use the defaults.',
  site(cfg='title: Guide\ntiers: []\n'))
case('empty-title','The `title:` of a page or of the site is empty.','Write the title after `title:`.',
  site(A,pb('title: ""\nphase: onboarding\n')))
case('expected-boolean','A value that must be `true` or `false` is something else (YAML 1.1 words like `yes` and `no` are not booleans here).','Write `true` or `false`.',
  site(A,pb('title: A\nphase: onboarding\ndraft: yes\n')))
case('expected-number','A value that must be a whole number is something else.','Write a number, such as `10`.',
  site(A,pb('title: A\nphase: onboarding\nweight: ten\n')))
case('future-date','An engagement (in the manifest or an imported CSV) is dated after today.','Record an engagement once it has happened; check the date.',
  MAN('engagements:\n  - id: E1\n    tier: low\n    date: 2027-01-01\n    used: [playbooks/onboarding/a.md]\n'))
case('id-too-long','A phase or tier id is longer than 64 characters (each id is a folder name in the output).','Keep ids short, and set `name:` for display.',
  site(cfg='title: Guide\nphases:\n  - id: '+'a'*70+'\n'))
case('image-is-page','An image (`![alt](x.md)`) points at a page, not an image file.','Point the image at an image file, or make it a link.',
  site(A,pb('title: A\nphase: onboarding\n','![Diagram](b.md)\n'),B_,pb('title: B\nphase: onboarding\n')))
case('import-conflict','`prove --from` would change an engagement that another file of the manifest records (written by hand or by another import).','Change that engagement by hand, or import into its file with `--into`.',
  dict(MAN('engagements:\n  - id: D1\n    tier: low\n    date: 2026-10-01\n    used: [playbooks/onboarding/a.md]\n'),**{'deals.csv':csv('D1,mid,2026-10-01,success,playbooks/onboarding/a.md\n')}),('prove','--from','deals.csv','--map',MAP,'--dry-run'))
case('invalid-alias','An alias is not a path from the site\'s base URL (`/old/path/`).','Write the old URL as a path, for example `aliases: [/old/connect-sso/]`.',
  site(A,pb('title: A\nphase: onboarding\naliases: ["old page"]\n')))
case('invalid-base-url','`base_url` in shirube.yaml, or `--base-url`, is not a URL or path shirube can publish under.','Write a full URL or a path, for example `base_url: https://guide.example.com/onboarding/` or `base_url: /`.',
  site(cfg='title: Guide\nbase_url: "guide example"\n'))
case('invalid-date','A date cannot be read: in the manifest it must be YYYY-MM-DD; in an imported CSV one of the usual forms.','Write the date as YYYY-MM-DD, for example 2026-10-02.',
  MAN('engagements:\n  - id: E1\n    tier: low\n    date: 2026-13-01\n    used: [playbooks/onboarding/a.md]\n'))
case('invalid-file-name','A file name is not valid UTF-8, so it cannot become a URL.','Rename the file.',
  {'shirube.yaml':CFG}, raw='bad-name')
case('invalid-hash','A `hash:` in the manifest is not one shirube writes (16 hex digits).','Remove the `hash:` line, or let `shirube prove` write it.',
  MAN('engagements:\n  - id: E1\n    tier: low\n    date: 2026-10-01\n    used:\n      - path: playbooks/onboarding/a.md\n        hash: xyz\n'))
case('invalid-id','A phase or tier id has characters other than lower-case ASCII letters, digits, `-` and `_` (ids appear in URLs).','Use a URL-safe id, and set `name:` for the name readers see.',
  site(cfg='title: Guide\nphases:\n  - id: Getting Started\n'))
case('invalid-mapping','A `--map` or `--value` option of `report --feedback` is not written as it should be (`prove --from` says the same of its options as a usage error, without a code, and exits with 2).','Write `--map FIELD=COLUMN` and `--value FIELD:FROM=TO`.',
  dict(site(A,pb('title: A\nphase: onboarding\n')),**{'fb.csv':FB+'https://g/x/,yes,2026-10-01\n'}),('report','--feedback','fb.csv','--map','page','--out','../r.html'))
case('invalid-min-proofs','`proof: min_proofs:` is 0, which would publish gated pages without proof.','Set at least 1; to publish a kind without proof, leave it out of `gate:`.',
  site(cfg='title: Guide\nproof:\n  min_proofs: 0\n'))
case('invalid-time','`time:` cannot be read as an effort.','Write minutes or hours, for example `20m`, `1h` or `1h 30m`.',
  site(A,pb('title: A\nphase: onboarding\ntime: soon\n')))
case('invalid-today','The `SHIRUBE_TODAY` environment variable (the day proof is judged by, for reproducible builds) is not a date.','Write it as YYYY-MM-DD, or unset it.',
  site(A,pb('title: A\nphase: onboarding\n')), env={'SHIRUBE_TODAY':'tomorrow'})
case('invalid-url','`feedback_url` or `support_url` in shirube.yaml is not a full https:// or mailto: address.','Write a full address without spaces, for example `https://forms.example.com/guide`.',
  site(cfg='title: Guide\nfeedback_url: forms.example.com\n'))
case('invalid-value','A YAML value has the wrong type (a list where text is expected, for example).','Write the kind of value the key takes; the message says which.',
  site(A,pb('title: A\nphase: onboarding\nrequires: {a: b}\nx: onboarding\n')))
case('link-outside-site','A link or image path goes above the site\'s folders (`../../..`).','Links must stay inside playbooks/ and content/.',
  site(A,pb('title: A\nphase: onboarding\n','[Up](../../../notes.md)\n')))
case('link-to-unpublished','A published page links to a page that is not published in this build (not proven yet, or a draft). The link is shown as plain text.','Prove the linked page, or link to another one; `shirube status` says why it is held back.',
  dict(site(A,pb('title: A\nphase: onboarding\n','See [B](../../content/b.md).\n'),'content/b.md',pb('title: B\ndraft: true\n'))))
case('lone-carriage-return','A carriage return (CR) that does not end a line, which YAML would read as a line break.','Save the file with LF or CRLF line endings.',
  site(A,'---\ntitle: A\rphase: onboarding\n---\n'))
case('manifest-unused','A manifest has engagements, but nothing needs proof (`gate: []`).','List the kinds that need proof under `proof: gate:`, or leave the manifest out.',
  {'shirube.yaml':'title: Guide\nproof:\n  gate: []\n',A:pb('title: A\nphase: onboarding\n'),'manifest.yaml':'engagements:\n  - id: E1\n    tier: low\n    date: 2026-10-01\n    used: [playbooks/onboarding/a.md]\n'})
case('missing-anchor','A link to `#id` on a page that has no heading with that id. An error by default; `links: missing_anchor: warn` makes it a warning.','Link to an id the page has (the help lists the closest), or add `{#id}` to the heading.',
  site(A,pb('title: A\nphase: onboarding\n','## Set up\n\nSee [below](#setup).\n')))
case('missing-answer','A row of a feedback export has no yes/no answer; it is left out.','Remove rows without an answer from the export.',
  dict(site(A,pb('title: A\nphase: onboarding\n')),**{'fb.csv':FB+'https://g/playbooks/onboarding/a/,,2026-10-01\n'}),('report','--feedback','fb.csv','--out','../r.html'))
case('missing-image','An image (Markdown or `<img>`) points at a file that is not there.','Fix the path (relative to the page), or add the image.',
  site(A,pb('title: A\nphase: onboarding\n','![Screen](shot.png)\n')))
case('missing-key','A required key is missing: `title:` on every page, `phase:` on playbooks and FAQs, and the required keys of the manifest and shirube.yaml.','Add the key.',
  site(A,pb('phase: onboarding\n')))
case('missing-page','A link points at a page or file that is not there. An error by default; `links: missing_page: warn` makes it a warning.','Fix the path (it is relative to the page\'s file); the help suggests the closest page.',
  site(A,pb('title: A\nphase: onboarding\n','See [B](b-page.md).\n'),B_,pb('title: B\nphase: onboarding\n')))
case('missing-page-url','A row of a feedback export has no page URL; it is left out.','Prefill the form\'s page question from the guide\'s link (`feedback_url` with `{url}`).',
  dict(site(A,pb('title: A\nphase: onboarding\n')),**{'fb.csv':FB+',yes,2026-10-01\n'}),('report','--feedback','fb.csv','--out','../r.html'))
case('missing-template','A site theme lacks one of the templates shirube renders.','Add the template under the theme\'s `templates/`, or remove the theme\'s folder to use the built-in one.',
  {'shirube.yaml':'title: Guide\ntheme: mine\n','themes/mine/templates/page.html':'{{ page.title }}\n'})
case('name-too-long','A URL part (from a file or folder name, or `slug:`) is longer than a file name may be (255 bytes).','Rename the file or folder, or set a shorter `slug:`.',
  site(A,pb('title: A\nphase: onboarding\nslug: '+'x'*300+'\n')))
case('no-page-named','A row of an imported CSV names no page in its pages column.','Name the playbooks or FAQs used, by path, URL or exact title, separated by `;`.',
  dict(MAN('engagements: []\n'),**{'deals.csv':csv('D1,low,2026-10-01,success,\n')}),('prove','--from','deals.csv','--map',MAP,'--dry-run'))
case('no-site','There is no shirube.yaml in the folder or any folder above it.','Run shirube in your site\'s folder, pass `--root DIR`, or create a site with `shirube init`.',
  {})
case('not-utf8','A file (a page, shirube.yaml, a template) is not UTF-8 text. The help names the encoding it looks like.','Save the file as UTF-8.',
  site(A,b'---\ntitle: Caf\xe9\nphase: onboarding\n---\n'))
case('off-tier-proof','A success recorded with a customer of a tier the page does not target: it is not proof of the page, which stays unpublished.','Record a success with a customer of a tier the page targets, or add the tier to the page\'s `tier:`.',
  {'shirube.yaml':GATED,A:pb('title: A\nphase: onboarding\ntier: high\n'),'manifest.yaml':'engagements:\n  - id: E1\n    tier: low\n    date: 2026-10-01\n    used: [playbooks/onboarding/a.md]\n'})
case('old-anchor','A link uses the id a heading had before heading ids followed GitHub\'s rules (`snake-case` for `## snake_case`); it still works, until the next release.','Link to the heading\'s id now, as the help says.',
  {'shirube.yaml':CFG,'content/a.md':pb('title: A\n','## snake_case\n'),'content/b.md':pb('title: B\n','[old](a.md#snake-case)\n')})
case('output-clash','Two pages, or a page and a file shirube writes, would be written to the same output path.','Set another `slug:`, or rename one of the files.',
  site(A,pb('title: A\nphase: onboarding\nslug: b\n'),B_,pb('title: B\nphase: onboarding\n')))
case('proof-not-needed','An engagement (or an imported row) names a page that needs no proof, so the entry proves nothing.','Name only the kinds under `proof: gate:`, or add the page\'s kind there.',
  dict(MAN('engagements:\n  - id: E1\n    tier: low\n    date: 2026-10-01\n    used: [content/about.md]\n'),**{'content/about.md':pb('title: About\n')}))
case('requires-cycle','Pages require each other in a cycle (or a page requires itself), so no order can satisfy them.','Remove one of the `requires:` entries of the cycle.',
  site(A,pb('title: A\nphase: onboarding\nrequires: [playbooks/onboarding/b.md]\n'),B_,pb('title: B\nphase: onboarding\nrequires: [playbooks/onboarding/a.md]\n')))
case('requires-unpublished','A published page requires a page that is not published in this build; it is shown without its title or link.','Prove the required page; `shirube status` shows what it needs.',
  {'shirube.yaml':GATED,A:pb('title: A\nphase: onboarding\nrequires: [playbooks/onboarding/b.md]\n'),B_:pb('title: B\nphase: onboarding\n'),'manifest.yaml':'engagements:\n  - id: E1\n    tier: low\n    date: 2026-10-01\n    used: [playbooks/onboarding/a.md]\n'})
case('reserved-theme-file','A theme or `static/` file has the name of a file shirube writes itself; it is not copied.','Remove the file.',
  {'shirube.yaml':CFG,'static/sitemap.xml':'<urlset/>\n'})
case('reserved-tier-id','A tier is called `all`, which means every tier.','Pick another id.',
  site(cfg='title: Guide\ntiers:\n  - id: all\n'))
case('sample-text','A page still has sample text from `shirube new`.','Replace it with your own words before the page is published.',
  {'shirube.yaml':CFG}, raw='new')
case('script-url','A link or image to a `javascript:` (or other script) URL; it is left out of the page.','Link to a page or an https:// address.',
  site(A,pb('title: A\nphase: onboarding\n','[Run](javascript:alert(1))\n')))
case('site-has-errors','Rendering was asked for a site that has errors.','Fix the errors reported with it.', {'shirube.yaml':CFG}, raw='skip')
case('stale-proof','A proven page changed since it was last proven; with `on_change: unpublish` it is held back.','Prove it again (`shirube prove PAGE`), or record that the change needs no new proof as the help says.',
  {'shirube.yaml':GATED,A:pb('title: A\nphase: onboarding\n','Changed.\n'),'manifest.yaml':'engagements:\n  - id: E1\n    tier: low\n    date: 2026-10-01\n    used:\n      - path: playbooks/onboarding/a.md\n        hash: 0123456789abcdef\n'})
case('symbolic-link','A symbolic link in the site\'s folders; shirube does not follow links.','Put the file or folder itself there, or leave it out of the site\'s folders.',
  {'shirube.yaml':CFG}, raw='symlink')
case('synonym-group-too-small','A search synonym group is empty or has one term.','A group lists two or more terms that mean the same: add one, or remove the group.',
  site(cfg='title: Guide\nsearch:\n  synonyms:\n    - [MFA]\n'))
case('table-too-large','A page\'s tables have more cells than shirube renders (rows × header columns).','Split the table over several pages, or link to a CSV file.', site(A,pb('title: A\nphase: onboarding\n','| a | b |\n|---|---|\n'+'| 1 | 2 |\n'*26000)))
case('template-error','A theme template has a syntax error, or fails when rendered.','Fix the template at the place shown; the message is Tera\'s.',
  {'shirube.yaml':'title: Guide\ntheme: mine\n',A:pb('title: A\nphase: onboarding\n'),'themes/mine/templates/page.html':'{% if %}\n'})
case('tier-all-combined','`tier: all` is listed with other tiers.','Write `tier: all` on its own, or list the tiers.',
  site(A,pb('title: A\nphase: onboarding\ntier: [all, low]\n')))
case('time-too-long','`time:` is more than the longest effort one task can take.','Give the effort of this one task, for example `20m` or `2h`.',
  site(A,pb('title: A\nphase: onboarding\ntime: 1001h\n')))
case('toml-front-matter','The page starts with TOML front matter (`+++`), which shirube does not read.','Write the front matter as YAML between two `---` lines.',
  site(A,'+++\ntitle = "A"\n+++\n'))
case('unclosed-front-matter','The front matter has no closing `---` line.','Add a line with `---` after the last front matter line.',
  site(A,'---\ntitle: A\nphase: onboarding\n\nSteps.\n'))
case('undecodable-file','An imported file (`prove --from`, `report --feedback`) cannot be decoded: an unknown `--encoding`, text not valid in its encoding, or a workbook that cannot be read.','Check the encoding the file was saved in, or leave `--encoding` out to have it detected.',
  dict(MAN('engagements: []\n'),**{'deals.csv':csv('D1,low,2026-10-01,success,playbooks/onboarding/a.md\n')}),('prove','--from','deals.csv','--map',MAP,'--encoding','klingon','--dry-run'))
case('unknown-answer','A feedback answer is neither yes nor no; the row is left out.','Say what it means with `--value "helpful:ANSWER=yes"` (or `=no`).',
  dict(site(A,pb('title: A\nphase: onboarding\n')),**{'fb.csv':FB+'https://g/playbooks/onboarding/a/,maybe,2026-10-01\n'}),('report','--feedback','fb.csv','--out','../r.html'))
case('unknown-column','A column given with `--map` (or under `mapping:`) is not in the file\'s header.','Use a column of the header; the help lists them, or the closest.',
  dict(MAN('engagements: []\n'),**{'deals.csv':csv('D1,low,2026-10-01,success,playbooks/onboarding/a.md\n')}),('prove','--from','deals.csv','--map',MAP.replace('Deal','Deals'),'--dry-run'))
case('unknown-key','A key shirube does not read: a warning in front matter (it is ignored), an error in shirube.yaml, the manifest and import settings.','Fix the spelling (the help suggests the closest key), or remove it.',
  site(A,pb('title: A\nphase: onboarding\nlastmod: 2026-01-01\n')))
case('unknown-kind','`kind:` is not a kind shirube knows.','Use one of the kinds the help lists, or remove `kind:` to take it from the folder.',
  site(A,pb('title: A\nphase: onboarding\nkind: recipe\n')))
case('unknown-outcome','An engagement\'s `outcome:` is not one shirube knows.','Use `success`, `partial` or `failed` (or map the CRM\'s word with `--value outcome:WORD=success`).',
  MAN('engagements:\n  - id: E1\n    tier: low\n    date: 2026-10-01\n    outcome: great\n    used: [playbooks/onboarding/a.md]\n'))
case('unknown-page','An engagement (or an imported row) names a page that is not there.','Write the path from the site root; the help suggests the closest page.',
  MAN('engagements:\n  - id: E1\n    tier: low\n    date: 2026-10-01\n    used: [playbooks/onboarding/b.md]\n'))
case('unknown-phase','`phase:` is not one of the phases in shirube.yaml.','Use one of the phases (the help suggests the closest), or add it under `phases:`.',
  site(A,pb('title: A\nphase: onbording\n')))
case('unknown-requires','`requires:` names a page that is not there.','Write the path from the site root; the help suggests the closest page.',
  site(A,pb('title: A\nphase: onboarding\nrequires: [playbooks/onboarding/invite.md]\n')))
case('unknown-theme','`theme:` names a theme that has no folder under themes/.','Create the folder `themes/NAME/`, or remove the `theme:` line.',
  site(cfg='title: Guide\ntheme: nosuch\n'))
case('unknown-tier','A tier (in `tier:`, an engagement or an imported row) is not one of the tiers in shirube.yaml.','Use one of the tiers (the help suggests the closest).',
  site(A,pb('title: A\nphase: onboarding\ntier: [lwo]\n')))
case('unknown-value','A YAML value is not one of the values the key takes.','Use one of the values the help lists.',
  site(cfg='title: Guide\nlinks:\n  missing_page: loud\n'))
case('unmapped-field','A field an import needs (id, tier, date, outcome, pages; page URL and answer for feedback) has no column.','Map it with `--map FIELD=COLUMN` (or under `mapping: columns:` in shirube.yaml).',
  dict(MAN('engagements: []\n'),**{'deals.csv':csv('D1,low,2026-10-01,success,playbooks/onboarding/a.md\n','Deal,Segment,Closed,Stage,Playbooks\n')}),('prove','--from','deals.csv','--map','id=Deal','--dry-run'))
case('unreadable-file','A file or folder cannot be read (permissions, or it vanished during the run).','Check the file\'s permissions; the message gives the system\'s reason.', {'shirube.yaml':CFG}, raw='skip')
case('unreadable-row','A row of an imported CSV cannot be read (a broken quote, for example).','Save the export again from the CRM, spreadsheet or form.', dict(MAN('engagements: []\n'),**{'deals.csv':csv('D1,low,2026-10-01,success,playbooks/onboarding/a.md\nD2,low\n')}),('prove','--from','deals.csv','--map',MAP,'--dry-run'))
case('yaml-syntax','YAML that cannot be read: an unclosed quote, a bad indent, a `: ` inside a value, a tab. The message is the parser\'s.','Follow the help; usually quote the value, or line up the keys.',
  site(A,pb('title: "A: the start\nphase: onboarding\n')))
case('yaml-too-deep','YAML nested too deeply (lists and mappings inside each other, often from a value that starts with `[` or `{`).','Close the brackets, or quote a value that starts with them.',
  site(A,pb('title: '+'['*5000+'\nphase: onboarding\n')))
case('yaml-too-large','YAML whose aliases (`*name`) would grow it past what shirube reads (an "alias bomb").','Write the values out, or use fewer aliases.', site(A,pb('title: A\nphase: onboarding\nx0: &a0 [x,x,x,x,x,x,x,x,x,x]\n'+''.join(f'x{i}: &a{i} [*a{i-1},*a{i-1},*a{i-1},*a{i-1},*a{i-1},*a{i-1},*a{i-1},*a{i-1},*a{i-1},*a{i-1}]\n' for i in range(1,9)))))

def run(c):
    d=tempfile.mkdtemp()
    site=os.path.join(d,'site'); os.mkdir(site)
    for p,t in c['files'].items():
        fp=os.path.join(site,p); os.makedirs(os.path.dirname(fp),exist_ok=True)
        if isinstance(t,bytes): open(fp,'wb').write(t)
        elif t is None: pass
        else: open(fp,'w').write(t)
    if c['raw']=='new': subprocess.run([B,'new','playbook','Connect SSO','--phase','onboarding'],cwd=site,capture_output=True)
    if c['raw']=='symlink': os.makedirs(os.path.join(site,'playbooks/onboarding')); os.symlink('/tmp/x.md',os.path.join(site,'playbooks/onboarding/shared.md'))
    if c['raw']=='bad-name': os.makedirs(os.path.join(site,'playbooks/onboarding')); open(os.path.join(site.encode(),b'playbooks/onboarding/caf\xe9.md'),'w').write('---\ntitle: A\nphase: onboarding\n---\n')
    env=dict(os.environ); env.update({'NO_COLOR':'1','SHIRUBE_TODAY':'2026-11-25'}); env.update(c['env'])
    r=subprocess.run([B]+c['args'],cwd=site,capture_output=True,text=True,env=env)
    out=r.stderr+r.stdout
    shutil.rmtree(d)
    # the block with the code
    blocks=re.split(r'\n(?=\S)', out)
    for b in blocks:
        if f'[{c["code"]}]: ' in b.split('\n')[0]:
            return b.strip('\n'), out
    return None, out

MANUAL={
'missing-template':'themes: error[missing-template]: the theme has no template "kickoff.html"\n  help: add it under templates/, or remove the theme\'s folder to use the built-in one',
'site-has-errors':'error[site-has-errors]: the site has errors; there is nothing to render',
'unreadable-file':'playbooks/onboarding/a.md: error[unreadable-file]: cannot read: Permission denied (os error 13)',
'unreadable-row':'deals.csv:7:1: error[unreadable-row]: cannot read row 7: CSV error: record 6 (line: 7, byte: 212): found record with 3 fields, but the previous record has 5 fields\n  help: save the export again from the CRM or spreadsheet',
}

res = {}
missing = []
for c in C:
    block, out = run(c)
    if block is None and c['code'] not in MANUAL:
        missing.append((c['code'], out[:400]))
    res[c['code']] = block
if missing:
    for code, out in missing:
        print('no example for', code, '::', out.replace('\n', ' | ')[:300], file=sys.stderr)
    sys.exit(1)
def show_files(c):
    out=[]
    for p,t in c['files'].items():
        if p=='shirube.yaml' and t in (CFG,) and c['code'] not in ('no-site',): continue
        if isinstance(t,bytes): t=t.decode('latin-1')+'   (saved as Latin-1, not UTF-8)\n'
        if len(t)>400: t=t[:300]+'\n…\n'
        out.append((p,t))
    return out
import os
o=[]
o.append("""# Diagnostics

Every problem `shirube check` (and `build`, `serve`, `prove`, `report`) finds has a **code**: a stable,
kebab-case name of the kind of problem. It is shown after the severity in the terminal, as a `"code"` field with
`--format json`, and in the annotation title with `--format github`:

```text
playbooks/onboarding/a.md:3:8: error[unknown-phase]: unknown phase "onbording"
```

```json
{ "severity": "error", "code": "unknown-phase", "path": "playbooks/onboarding/a.md", "line": 3, "col": 8, … }
```

```text
::error file=playbooks/onboarding/a.md,line=3,col=8,title=shirube unknown-phase::unknown phase "onbording"…
```

Codes do not change between releases, so CI scripts and editors can match on them (the message's words may be
improved). Errors fail the run; warnings do not, unless `--strict`. Some codes are errors in one place and
warnings in another (a broken link in an unpublished page is a warning); the entry says so.

Each section below says what the code means, shows a minimal input and the message shirube prints for it, and how
to fix it. The examples were made by running shirube on the input shown (paths are relative to the site folder;
`shirube.yaml` is `title: Guide` unless shown) with `docs/make_diagnostics.py`, which writes this page.
""")
for c in sorted(C,key=lambda c:c['code']):
    code=c['code']
    o.append(f"## `{code}`\n")
    o.append(c['meaning']+"\n")
    msg=res.get(code) or MANUAL.get(code)
    assert msg, code
    if code not in MANUAL and c['raw'] not in ('skip',):
        files=show_files(c)
        extra=''
        if c['raw']=='new': extra="After `shirube new playbook \"Connect SSO\" --phase onboarding`, unchanged:\n"
        if c['raw']=='symlink': extra="`playbooks/onboarding/shared.md` is a symbolic link to a file elsewhere.\n"
        if c['raw']=='bad-name': extra="A page whose file name is not UTF-8 (`caf\\xe9.md`, written by an old Windows tool).\n"
        if extra: o.append(extra)
        for p,t in files:
            if code=='table-too-large' and p.endswith('.md'):
                o.append(f"`{p}`: a table of 26,000 rows and 2 columns.\n"); continue
            o.append(f"`{p}`:\n\n```{'yaml' if p.endswith('.yaml') else ('csv' if p.endswith('.csv') else 'markdown')}\n{t.rstrip()}\n```\n")
        args=c['args']
        if args!=['check'] or c['env'].get('SHIRUBE_TODAY'):
            env=' '.join(f'{k}={v}' for k,v in c['env'].items())
            cmd=' '.join(a if ' ' not in a and '=' not in a or a.startswith('--') else f'"{a}"' for a in args)
            o.append(f"Running `{(env+' ') if env else ''}shirube {cmd}` says:\n")
        else:
            o.append("`shirube check` says:\n")
    else:
        o.append("For example:\n")
    o.append("```text\n"+msg.rstrip()+"\n```\n")
    o.append(f"**Fix:** {c['fix']}\n")
open(os.path.join(HERE, 'diagnostics.md'), 'w').write('\n'.join(o))
