#!/usr/bin/env python3
"""Checks the course text that tools/course_text.py adds to chapters 01-13.

    python3 tools/course_text_check.py notebooks/ [--original DIR] [--katex PATH/katex.min.js]

For every chapter NN-*.ipynb (01 to 13) it verifies
  * the learning objectives: exactly one cell (metadata.gannb_course = "objectives"), right after the title cell,
    "**After this chapter you can**" with 3-4 bullets;
  * 2-3 thinking questions, numbered 1.. in order: each a locked markdown question cell "**Question N.k** (2 points)"
    (nbgrader grade false, grade_id "NN-q-k-text", locked true, schema_version 3, solution false) directly followed by
    its markdown answer cell (grade true, grade_id "NN-q-k", locked false, points 2, schema_version 3, solution true)
    whose source is an optional "*Your answer:*" line, a "<!-- BEGIN SOLUTION -->" line, the answer, and an
    "<!-- END SOLUTION -->" line; the pair stands before an ordinary cell;
  * exactly one summary cell, the last cell, with "## Summary" (3-5 bullets) and "## References" (bullets, arXiv links
    in the form [arXiv:ID](https://arxiv.org/abs/ID));
  * every cell has an id, ids are unique, the course cells' ids are 8 hex digits; grade_ids are unique;
  * the notebook as a whole keeps the nbgrader rules gannb assign/grade check (Classroom/README.md): ids and grade_ids on
    nbgrader cells, points on grade cells, markdown answers both solution and grade, test cells code, solution and
    hidden-test regions only in their own kind of cell, closed and not nested; "BEGIN/END SOLUTION" appears in no
    course cell but the answers and "BEGIN HIDDEN TESTS" in none;
  * balanced $ in the course cells; with --katex, every formula of the course cells parses in KaTeX (needs node);
  * the file is written as the repository writes notebooks (json indent 1, non-ASCII kept, trailing newline);
  * with --original DIR: the notebook without its course cells is identical to DIR's copy (no other cell, id, key or
    value changed).
Exit status 0 when everything holds, 1 otherwise, with one line per problem naming the file and the cell.
"""

import argparse
import json
import os
import re
import subprocess
import sys

MARKER = "gannb_course"
CHAPTER_FILE = re.compile(r"^(0[1-9]|1[0-3])-.+\.ipynb$")
HEX8 = re.compile(r"^[0-9a-f]{8}$")
ARXIV_LINK = re.compile(r"\[arXiv:([0-9]{4}\.[0-9]{4,5})\]\(https://arxiv\.org/abs/([0-9]{4}\.[0-9]{4,5})\)")
QUESTION_META = lambda gid: {"grade": False, "grade_id": gid, "locked": True, "schema_version": 3, "solution": False}
ANSWER_META = lambda gid: {"grade": True, "grade_id": gid, "locked": False, "points": 2, "schema_version": 3, "solution": True}


def src(cell):
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def bullets(block):
    return [l for l in block.split("\n") if l.startswith("- ")]


def formulas(text):
    """(tex, display) for every $…$ and $$…$$ of a markdown text."""
    out, i = [], 0
    while True:
        i = text.find("$", i)
        if i < 0:
            return out
        display = text.startswith("$$", i)
        d = 2 if display else 1
        j = text.find("$$" if display else "$", i + d)
        if j < 0:
            raise ValueError(f"unbalanced $ at character {i}")
        out.append((text[i + d:j], display))
        i = j + d


def check_notebook(path, original_dir=None):
    problems = []
    name = os.path.basename(path)
    nn = name[:2]

    def bad(where, what):
        problems.append(f"{path}: {where}: {what}")

    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    try:
        nb = json.loads(text)
    except ValueError as e:
        return [f"{path}: not JSON: {e}"], []
    if json.dumps(nb, indent=1, ensure_ascii=False) + "\n" != text:
        bad("file", "not in the repository's format (json indent 1, ensure_ascii False, trailing newline)")
    cells = nb.get("cells", [])
    if not cells:
        return [f"{path}: no cells"], []

    def label(i):
        c = cells[i]
        gid = c.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        return f"cell {i + 1} (id {c.get('id')!r}" + (f", grade_id {gid!r})" if gid else ")")

    # ids and grade_ids
    seen_ids = {}
    for i, c in enumerate(cells):
        cid = c.get("id")
        if not cid:
            bad(label(i), "no cell id")
        elif cid in seen_ids:
            bad(label(i), f"id also used by cell {seen_ids[cid] + 1}")
        else:
            seen_ids[cid] = i

    # nbgrader's own rules (grade_ids, points, regions) are gannb's: `gannb assign` validates them
    # (Classroom/ClassroomNotebook.cs, Validate), and the runner tests run it on every chapter.

    course = [(i, c.get("metadata", {}).get(MARKER)) for i, c in enumerate(cells) if MARKER in c.get("metadata", {})]
    kinds = [k for _, k in course]
    for i, kind in course:
        c = cells[i]
        if kind not in ("objectives", "question", "answer", "summary"):
            bad(label(i), f"unknown {MARKER} value {kind!r}")
        if c.get("cell_type") != "markdown":
            bad(label(i), "a course cell that is not markdown")
        if not HEX8.match(str(c.get("id", ""))):
            bad(label(i), "a course cell whose id is not 8 hex digits")
        s = src(c)
        if kind != "answer" and ("BEGIN SOLUTION" in s or "END SOLUTION" in s):
            bad(label(i), "BEGIN/END SOLUTION outside an answer cell")
        if "BEGIN HIDDEN TESTS" in s or "END HIDDEN TESTS" in s:
            bad(label(i), "BEGIN/END HIDDEN TESTS in a course cell")
        try:
            formulas(s)
        except ValueError as e:
            bad(label(i), str(e))

    # objectives
    if kinds.count("objectives") != 1:
        bad("notebook", f"{kinds.count('objectives')} objectives cells (expected 1)")
    if cells[0].get("cell_type") != "markdown" or not src(cells[0]).startswith(f"# {nn} "):
        bad(label(0), "the first cell is not the chapter's title")
    if len(cells) > 1 and cells[1].get("metadata", {}).get(MARKER) == "objectives":
        s = src(cells[1])
        if not s.startswith("**After this chapter you can**"):
            bad(label(1), "objectives do not start with '**After this chapter you can**'")
        if not 3 <= len(bullets(s)) <= 4:
            bad(label(1), f"{len(bullets(s))} objectives (expected 3-4)")
    elif "objectives" in kinds:
        bad("notebook", "the objectives cell is not right after the title cell")

    # questions and answers
    qs = [i for i, k in course if k == "question"]
    ans = [i for i, k in course if k == "answer"]
    if not 2 <= len(qs) <= 3:
        bad("notebook", f"{len(qs)} thinking questions (expected 2-3)")
    if len(ans) != len(qs):
        bad("notebook", f"{len(qs)} questions but {len(ans)} answers")
    for k, qi in enumerate(qs, 1):
        text_gid, answer_gid = f"{nn}-q-{k}-text", f"{nn}-q-{k}"
        q = cells[qi]
        if q.get("metadata", {}).get("nbgrader") != QUESTION_META(text_gid):
            bad(label(qi), f"question {k}: metadata.nbgrader is {q.get('metadata', {}).get('nbgrader')}, expected {QUESTION_META(text_gid)}")
        if not src(q).startswith(f"**Question {int(nn)}.{k}** (2 points) "):
            bad(label(qi), f"question {k} does not start with '**Question {int(nn)}.{k}** (2 points)'")
        ai = qi + 1
        if ai >= len(cells) or cells[ai].get("metadata", {}).get(MARKER) != "answer":
            bad(label(qi), f"question {k} is not directly followed by its answer cell")
            continue
        a = cells[ai]
        if a.get("metadata", {}).get("nbgrader") != ANSWER_META(answer_gid):
            bad(label(ai), f"answer {k}: metadata.nbgrader is {a.get('metadata', {}).get('nbgrader')}, expected {ANSWER_META(answer_gid)}")
        lines = src(a).split("\n")
        if lines and lines[0] == "*Your answer:*":
            lines = lines[1:]
        if (len(lines) < 3 or lines[0] != "<!-- BEGIN SOLUTION -->" or lines[-1] != "<!-- END SOLUTION -->"
                or not any(l.strip() for l in lines[1:-1])
                or any("SOLUTION" in l for l in lines[1:-1])):
            bad(label(ai), "answer source is not [*Your answer:*] / <!-- BEGIN SOLUTION --> / answer / <!-- END SOLUTION -->")
        nxt = ai + 1
        if nxt >= len(cells) or MARKER in cells[nxt].get("metadata", {}):
            bad(label(ai), f"question {k} does not stand before an ordinary cell")
    for i in ans:
        if i == 0 or cells[i - 1].get("metadata", {}).get(MARKER) != "question":
            bad(label(i), "an answer cell without its question cell before it")

    # summary and references
    if kinds.count("summary") != 1:
        bad("notebook", f"{kinds.count('summary')} summary cells (expected 1)")
    last = len(cells) - 1
    if cells[last].get("metadata", {}).get(MARKER) != "summary":
        bad("notebook", "the summary cell is not the last cell")
    else:
        s = src(cells[last])
        if not s.startswith("## Summary\n") or "\n## References\n" not in s:
            bad(label(last), "summary cell without '## Summary' and '## References'")
        else:
            summary, references = s.split("\n## References\n", 1)
            if not 3 <= len(bullets(summary)) <= 5:
                bad(label(last), f"{len(bullets(summary))} summary bullets (expected 3-5)")
            refs = bullets(references)
            if not refs:
                bad(label(last), "no references")
            for r in refs:
                for m in ARXIV_LINK.finditer(r):
                    if m.group(1) != m.group(2):
                        bad(label(last), f"arXiv link text {m.group(1)} and address {m.group(2)} differ")
                if "arxiv" in r.lower() and not ARXIV_LINK.search(r):
                    bad(label(last), f"malformed arXiv link in {r[:60]!r}")

    # nothing else changed
    if original_dir:
        opath = os.path.join(original_dir, name)
        if not os.path.exists(opath):
            bad("notebook", f"no original {opath}")
        else:
            with open(opath, encoding="utf-8") as fh:
                orig = json.load(fh)
            stripped = dict(nb)
            stripped["cells"] = [c for c in cells if MARKER not in c.get("metadata", {})]
            if stripped != orig:
                bad("notebook", f"without its course cells it differs from {opath}")

    tex = [(t, d, f"{path}: {label(i)}") for i, _ in course for t, d in (formulas(src(cells[i])) if _safe(cells[i]) else [])]
    return problems, tex


def _safe(cell):
    try:
        formulas(src(cell))
        return True
    except ValueError:
        return False


KATEX_SCRIPT = r"""
const katex = require(process.argv[process.argv.length - 1]);
const items = JSON.parse(require('fs').readFileSync(0, 'utf8'));
let bad = 0;
for (const [tex, display, where] of items) {
  try { katex.renderToString(tex, { displayMode: display, throwOnError: true }); }
  catch (e) { bad++; console.log(`${where}: KaTeX cannot parse $${tex}$: ${e.message.split('\n')[0]}`); }
}
process.exit(bad ? 1 : 0);
"""


def check_katex(items, katex_js):
    run = subprocess.run(["node", "-e", KATEX_SCRIPT, os.path.abspath(katex_js)], input=json.dumps(items),
                         capture_output=True, text=True)
    if run.returncode not in (0, 1) or run.stderr.strip():
        return [f"KaTeX check could not run: {run.stderr.strip()[:300]}"]
    return [l for l in run.stdout.splitlines() if l.strip()]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder")
    parser.add_argument("--original", help="a folder with the notebooks before tools/course_text.py ran")
    parser.add_argument("--katex", help="path of katex.min.js: also parse every formula of the course cells (node)")
    args = parser.parse_args(argv)

    files = sorted(f for f in os.listdir(args.folder) if CHAPTER_FILE.match(f))
    problems, tex = [], []
    found = {f[:2] for f in files}
    for nn in (f"{n:02d}" for n in range(1, 14)):
        if nn not in found:
            problems.append(f"{args.folder}: no notebook for chapter {nn}")
    for f in files:
        p, t = check_notebook(os.path.join(args.folder, f), args.original)
        problems += p
        tex += t
    if args.katex:
        problems += check_katex(tex, args.katex)
    for p in problems:
        print(p)
    if problems:
        print(f"course_text_check: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"course_text_check: {len(files)} chapters OK" + (f", {len(tex)} formulas parsed by KaTeX" if args.katex else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
