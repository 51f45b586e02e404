#!/usr/bin/python3
"""Recalculate spreadsheets in LibreOffice (headless, through UNO) and dump every cell as JSON.

Runs under Debian's /usr/bin/python3 (the only interpreter that has `uno`), so the tests call it as a
subprocess: `/usr/bin/python3 tools/lo_recalc.py jobs.json out.json`. `jobs.json` is a list of
`{"path": "book.xlsx", "set": {"lr": 0.001}}`: each job loads a temporary copy of the file hidden,
types the values into the cells the defined names point at, runs calculateAll() and reads every
used cell of every sheet. `out.json` gets, per job, `{sheet: {"values": [[...]], "formulas": [[...]],
"errors": ["F12", ...]}}` (rows and columns from A1; error cells such as #NUM! listed by address).
One LibreOffice process serves all jobs; it runs in its own process group, which is killed at the end.
"""
import json, os, shutil, signal, subprocess, sys, tempfile, time

def _cell_name(row, col):
    s, c = '', col + 1
    while c: c, r = divmod(c - 1, 26); s = chr(65 + r) + s
    return f"{s}{row + 1}"

def _connect(pipe, proc, timeout=90):
    import uno
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    end = time.time() + timeout
    while True:
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            return ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        except Exception:
            if proc.poll() is not None: raise RuntimeError(f"soffice exited with code {proc.returncode}")
            if time.time() > end: raise RuntimeError("could not connect to soffice")
            time.sleep(0.25)

def _read(doc):
    from com.sun.star.sheet.FormulaResult import ERROR
    out, sheets = {}, doc.Sheets
    for i in range(sheets.Count):
        sh = sheets.getByIndex(i)
        cur = sh.createCursor(); cur.gotoEndOfUsedArea(False)
        end = cur.getRangeAddress()
        rng = sh.getCellRangeByPosition(0, 0, end.EndColumn, end.EndRow)
        values = [[None if c in (None, '') else c for c in row] for row in rng.getDataArray()]
        errors = []
        for a in rng.queryFormulaCells(ERROR).getRangeAddresses():
            for r in range(a.StartRow, a.EndRow + 1):
                for c in range(a.StartColumn, a.EndColumn + 1):
                    errors.append(_cell_name(r, c)); values[r][c] = None  # an error cell has no value
        out[sh.Name] = {'values': values, 'formulas': [list(r) for r in rng.getFormulaArray()], 'errors': errors}
    return out

def _job(desktop, job, tmp):
    import uno
    from com.sun.star.beans import PropertyValue
    copy = os.path.join(tmp, f"book{os.getpid()}_{time.time_ns()}{os.path.splitext(job['path'])[1]}")
    shutil.copyfile(job['path'], copy)
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(copy), "_blank", 0, (PropertyValue(Name="Hidden", Value=True),))
    if doc is None: raise RuntimeError(f"LibreOffice could not load {job['path']}")
    try:
        doc.enableAutomaticCalculation(False)  # nothing is recomputed behind our back: only calculateAll() below
        for name, value in job.get('set', {}).items():
            if not doc.NamedRanges.hasByName(name): raise KeyError(f"no defined name {name!r} in {job['path']}")
            doc.NamedRanges.getByName(name).getReferredCells().getCellByPosition(0, 0).setValue(float(value))
        doc.calculateAll()
        return _read(doc)
    finally:
        doc.close(True)

def main(jobs_path, out_path):
    jobs = json.load(open(jobs_path))
    tmp = tempfile.mkdtemp(prefix='lo_recalc_')
    pipe = f"gd_recalc_{os.getpid()}"
    cmd = ['soffice', '--headless', '--invisible', '--nologo', '--norestore', '--nodefault', '--nolockcheck',
           f"-env:UserInstallation=file://{tmp}/profile", f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"]
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        desktop = _connect(pipe, proc)
        results = [_job(desktop, job, tmp) for job in jobs]
        try: desktop.terminate()
        except Exception: pass
        json.dump(results, open(out_path, 'w'))
    finally:
        try: proc.wait(timeout=10)
        except subprocess.TimeoutExpired: pass
        try: os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError: pass
        proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)

if __name__ == '__main__':
    if len(sys.argv) != 3: sys.exit(__doc__)
    main(*sys.argv[1:])
