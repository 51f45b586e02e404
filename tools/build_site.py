"""Build the course site into _docs/ from _quarto.yml, without Quarto.

    python tools/build_site.py          (what `make site` runs)

1. Browser assets: `npm ci` in tools/site/ (exact versions in its package-lock.json) when
   tools/site/node_modules/ is missing or older than the lock file.
2. Notebooks: each notebook of nbs/ (nbdev's rules: names starting with `_` or `.` are skipped)
   goes through nbdev's own docs processors (`FilterDefaults`, as `nbdev_proc_nbs` does, without
   its Quarto installer and its `pip install -e`), one fresh process per notebook, into _proc/.
   nbs/ is only read. Then, in the processed copy only:
   - the notebook is named after nbdev's `output-file` (00_data.ipynb -> data.ipynb), because
     smalldocs names a page after its file; links to notebooks (`00_data.ipynb`) follow;
   - nbdev's symbol links (`http://127.0.0.1:4000/neuron.html#fit`) become relative, so the site
     works on any host and port; show_doc headings get nbdev's anchor as explicit id;
   - pipe tables whose cell text holds a `|` are repaired (`repair_pipe_tables`);
   - every PNG output becomes a file in _docs/figures/, shown at its own size (width and height from its
     pixels and dpi), lazily loaded after the first, linked to itself at full size, with the cell's
     `#| fig-alt:` as alt text (else the figure's titles, else the sentence after it; the build report
     says which);
   - a cell that only checks (the rule at `check_count`) is folded on the page as "✓ n checks";
   - a page explorer (an anywidget model in the saved widget state) becomes a placeholder that the
     site's own renderer (tools/site/widgets.js) fills from the page's saved state; its module and its
     backdrop picture become files beside the page; its default picture is the <noscript> fallback.
     Other saved ipywidgets (controls that need a kernel) are shown as their saved picture.
3. smalldocs renders _proc/ with the same _quarto.yml (navbar, sidebar, search) into _docs/.
4. _docs/ is made self-contained and light: the maths are typeset here by KaTeX (node), so the pages
   need only its stylesheet and fonts; the theme's font is local and preloaded; the theme's Google
   Fonts import and the KaTeX CDN links are replaced. Each page then gets the dark theme that follows
   the reader's preference, unique ids, linked docments, downloads and table headers, a table of
   contents for phones, and the small scripts tools/site/site.js and widgets.js. The build fails if
   any page or stylesheet still loads something from another host.

Deterministic: the same tree gives the same _docs/ byte for byte (file dates come from the last
commit, or SOURCE_DATE_EPOCH). A notebook whose docs processing fails (say, an import mixed with
code in one cell, or a module not exported yet) is still rendered from its saved outputs; the
problem is printed and listed in _docs/.build-report.json, and tests/browser/test_site.py reports it.
"""
import ast, base64, hashlib, html, json, os, posixpath, re, shutil, struct, subprocess, sys, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NBS = ROOT/'nbs'
PROC = ROOT/'_proc'
DOCS = ROOT/'_docs'
ASSETS = ROOT/'tools'/'site'
NODE = ASSETS/'node_modules'
STAMP = NODE/'.gd_notebooks-installed'
REPORT = '.build-report.json'
WIDGET_STATE = 'application/vnd.jupyter.widget-state+json'
WIDGET_VIEW = 'application/vnd.jupyter.widget-view+json'
OFF_HOST = re.compile(r'''(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|@import\s+url\(\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//''', re.I)

def say(*a): print('build_site:', *a, file=sys.stderr, flush=True)

# ---------------------------------------------------------------- npm assets

def npm_assets():
    "Install tools/site's pinned npm packages with `npm ci` unless they are already installed from the same lock file."
    lock = ASSETS/'package-lock.json'
    want = lock.read_text()
    if STAMP.exists() and STAMP.read_text() == want: return
    npm = shutil.which('npm')
    if not npm: sys.exit("build_site: npm not found; install Node.js and npm (Debian: apt-get install npm)")
    say('installing the site\'s browser assets: npm ci in tools/site')
    subprocess.run([npm, 'ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], cwd=ASSETS, check=True)
    STAMP.write_text(want)

# ---------------------------------------------------------------- nbdev processing (in worker processes)

def _lookup_with_project(orig):
    "nbdev links backticked symbols through the `nbdev` entry points; add this project's index in case it has none."
    def table(*args, **kwargs):
        entries, syms = orig(*args, **kwargs)
        if 'gd_notebooks' in entries: return entries, syms
        from nbdev.doclinks import _qual_syms
        ns = {}
        exec((ROOT/'gd_notebooks'/'_modidx.py').read_text(), ns)
        mine = _qual_syms(ns['d'])
        entries = {**entries, 'gd_notebooks': mine}
        stripped = {}
        for mod, dets in mine['syms'].items():
            for k, v in dets.items(): stripped.setdefault(k.removeprefix(f'{mod}.'), v)
        return entries, {**syms, **stripped}
    return table

def process_notebook(src, dst):
    """Run nbdev's docs processors on `src`, write the result to `dst`. Returns the problems seen.
    Runs in a fresh process: nbdev executes imports, exported cells and show_doc in-process."""
    os.chdir(ROOT)
    os.environ['IN_TEST'] = '1'
    import matplotlib; matplotlib.use('Agg')
    import nbdev.doclinks
    from nbdev.processors import FilterDefaults, exec_show_docs
    from execnb.nbio import read_nb, write_nb
    from functools import lru_cache
    nbdev.doclinks._build_lookup_table = lru_cache(None)(_lookup_with_project(nbdev.doclinks._build_lookup_table.__wrapped__))
    problems = []

    import warnings

    class lenient_exec_show_docs(exec_show_docs):
        "nbdev's exec_show_docs, except that a failing cell keeps its saved outputs and is reported instead of stopping the build."
        def __call__(self, cell):
            saved = cell.get('outputs')
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter('always')
                try: super().__call__(cell)
                except Exception: err = self.k.exc
                else: err = None
            mixed = any('imports and other code' in str(w.message) for w in caught)
            for w in caught:
                if 'imports and other code' not in str(w.message): warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
            if err is None: return
            first = next((l for l in cell.source.strip().splitlines() if not l.startswith('#|')), '')
            why = ' (it mixes an import with other code, so nbdev runs it when it builds the docs)' if mixed else ''
            problems.append(f"{Path(src).name}: cell {cell.idx_} `{first}` fails in nbdev's docs processing with "
                            f"{type(err).__name__}: {err}{why}; the page shows its saved outputs")
            self.k.exc = None
            if saved is not None: cell.outputs = saved

    class Procs(FilterDefaults):
        def base_procs(self): return [lenient_exec_show_docs if p is exec_show_docs else p for p in super().base_procs()]

    nb = read_nb(src)
    Procs()(nb)
    write_nb(nb, dst)
    return problems

# ---------------------------------------------------------------- the processed copy

def _nbpath2html(rel):
    from nbdev.frontmatter import _nbpath2html
    return _nbpath2html(Path(rel))

def notebooks():
    "The notebooks nbdev documents, as nbdev finds them."
    from nbdev.doclinks import nbglob
    return sorted(nbglob(NBS, as_path=True))

def _text(v): return ''.join(v) if isinstance(v, list) else (v or '')

def _frontmatter(nb):
    import yaml
    c = nb['cells'][0] if nb['cells'] else None
    if c and c['cell_type'] == 'raw':
        m = re.match(r'^---\n(.*?)\n---', _text(c['source']), re.S)
        if m: return yaml.safe_load(m.group(1)) or {}
    return {}

_MD_HEADING = re.compile(r'^(#{2,6}) +(\S+?)\s*$', re.M)
_SYMBOL = re.compile(r'[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*')

def _anchor_show_doc(md):
    "Give show_doc's `### Name` headings nbdev's anchor (`name.lower()`), which Pandoc's rules change for names like `_check_count`."
    def sub(m):
        name = m.group(2).replace('\\_', '_')
        if not _SYMBOL.fullmatch(name): return m.group(0)
        return f'{m.group(1)} {m.group(2)} {{#{name.lower()}}}'
    return _MD_HEADING.sub(sub, md)

def _is_show_doc(cell):
    return cell['cell_type'] == 'code' and re.search(r'^\s*show_doc\(', _text(cell['source']), re.M)

def _relink(text, renames, host, depth):
    "nbdev's absolute doc links to relative ones, and links to renamed notebooks to their new names."
    up = '../' * depth
    if host: text = text.replace(host, up)
    def nb_link(m):
        target = posixpath.normpath(m.group(1))
        return renames[target] + (m.group(2) or '') if target in renames else m.group(0)
    return re.sub(r'(?<=\]\()([^)\s#]+\.ipynb)(#[^)\s]*)?', nb_link, text)

def _doc_host():
    from nbdev.config import get_config
    cfg = get_config()
    return cfg.doc_host.rstrip('/') + '/' + cfg.doc_baseurl.strip('/') + ('/' if cfg.doc_baseurl.strip('/') else '')

# ---------------------------------------------------------------- figures, checks, tables, widgets (in the processed copy)

def png_info(data: bytes):
    "`(width, height, dpi)` of a PNG: its IHDR size, and its dots per inch from the pHYs chunk (96 when it has none)."
    if data[:8] != b'\x89PNG\r\n\x1a\n': raise ValueError('not a PNG')
    w, h = struct.unpack('>II', data[16:24])
    i = 8
    while i + 8 <= len(data):
        n, kind = struct.unpack('>I4s', data[i:i + 8])
        if kind == b'pHYs':
            ppu, _, unit = struct.unpack('>IIB', data[i + 8:i + 17])
            return w, h, (ppu * 0.0254 if unit == 1 else 96.0)
        if kind == b'IDAT': break
        i += 12 + n
    return w, h, 96.0

def one_x(data: bytes):
    "The picture's own size in CSS px (its 1x size): pixels x 96 / its dpi. A figure shown at it reads 9-pt text as 9 pt."
    w, h, dpi = png_info(data)
    return round(w * 96 / dpi), round(h * 96 / dpi)

def _cell_options(src):
    from smalldocs.notebook import cell_options
    return cell_options(src)[0]

def _strings(node):
    "The plain text of a string literal (an f-string's literal parts, its fields as '…'), or None."
    if isinstance(node, ast.Constant) and isinstance(node.value, str): return node.value
    if isinstance(node, ast.JoinedStr):
        return ''.join(v.value if isinstance(v, ast.Constant) else '…' for v in node.values)
    return None

def figure_titles(src):
    "The titles a cell's drawing code gives its figure (`suptitle`, `set_title`, `title=`), in order, for an alt text."
    try: tree = ast.parse('\n'.join(l for l in src.split('\n') if not l.startswith('#|')))
    except SyntaxError: return []
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call): continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, 'id', '')
        if name in ('suptitle', 'set_title', 'title') and node.args:
            t = _strings(node.args[0])
            if t: out.append(t)
        for kw in node.keywords:
            if kw.arg == 'title':
                t = _strings(kw.value)
                if t: out.append(t)
    return [re.sub(r'\s+', ' ', re.sub(r'\$([^$]*)\$', r'\1', t)).strip() for t in dict.fromkeys(out) if t.strip()]

def first_sentence(md):
    "The first sentence of a Markdown text, as plain text (links, emphasis, code marks and TeX dollars dropped)."
    t = re.sub(r'<[^>]+>', '', md)
    t = re.sub(r'!?\[([^\]]*)\]\([^)]*\)', r'\1', t)
    t = re.sub(r'[*`$]|\\(?=[a-zA-Z])', '', t)
    t = re.sub(r'^#+\s.*$', '', t, flags=re.M)
    t = re.sub(r'\s+', ' ', t).strip()
    m = re.match(r'(.+?[.!?])(\s|$)', t)
    s = m.group(1) if m else t
    return s if len(s) <= 250 else s[:247].rsplit(' ', 1)[0] + '…'

# A code cell "only checks" when its code shows the reader nothing but checks: it has no outputs at all, and
# every top-level statement is a check or set-up, with at least one check.
# - a check: an `assert`, or a call statement of a function named test_* or assert_* (`test_eq(...)`,
#   `test_close(...)`, `np.testing.assert_allclose(...)`);
# - set-up: an assignment, an import, `del`, `pass`, a bare expression (a call such as `plt.close(fig)` or
#   `ex.set(lr=1e-3)`: with no output it only prepares a check), or a `with`/`for`/`while`/`if`/`try` block whose
#   every branch holds only checks and set-up.
# A `def` or a `class` makes the cell more than checks (it defines something the lesson uses), and so does any
# output (a printed number, a figure, a table: the reader is meant to see it). Cells the notebook folds itself
# (`#| code-fold`), hidden cells (`#| echo: false`, nbdev's `#| hide`), exported cells and cells without a check are
# left as they are.
# "n checks" counts the check statements written in the cell (one inside a loop counts once).
CHECK_NAME = re.compile(r'(?:test_|assert_)\w*$')
SETUP = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Import, ast.ImportFrom, ast.Delete, ast.Pass, ast.Expr)
BLOCKS = tuple(getattr(ast, n) for n in ('With', 'For', 'While', 'If', 'Try', 'TryStar', 'AsyncWith', 'AsyncFor') if hasattr(ast, n))

def _is_check(st):
    if isinstance(st, ast.Assert): return True
    if isinstance(st, ast.Expr) and isinstance(st.value, ast.Call):
        f = st.value.func
        return bool(CHECK_NAME.match(f.attr if isinstance(f, ast.Attribute) else getattr(f, 'id', '')))
    return False

def _checks_in(stmts):
    "How many checks `stmts` hold, or None when one of them is neither a check nor set-up."
    n = 0
    for st in stmts:
        if _is_check(st): n += 1
        elif isinstance(st, SETUP): continue
        elif isinstance(st, BLOCKS):
            branches = [st.body, getattr(st, 'orelse', []), getattr(st, 'finalbody', [])] + [h.body for h in getattr(st, 'handlers', [])]
            for b in branches:
                k = _checks_in(b)
                if k is None: return None
                n += k
        else: return None
    return n

def check_count(cell):
    "The number of checks of a code cell that only checks (the rule above), else None."
    if cell.get('cell_type') != 'code' or cell.get('outputs'): return None
    src = _text(cell.get('source'))
    if re.search(r'^#\|\s*(?:hide|export\w*)\s*$', src, re.M): return None  # nbdev hides it, or shows it as exported source
    opts = _cell_options(src)
    if 'code-fold' in opts or opts.get('echo', True) is False or opts.get('include', True) is False: return None
    code = '\n'.join(l for l in src.split('\n') if not l.startswith('#|'))
    try: tree = ast.parse(code)
    except SyntaxError: return None
    n = _checks_in(tree.body)
    return n if n else None

def fold_checks(cell):
    "Fold a cell that only checks on the page: smalldocs' `code-fold` with the summary '✓ n checks'. Returns n or None."
    n = check_count(cell)
    if n is None: return None
    cell['source'] = f'#| code-fold: true\n#| code-summary: "{CHECK_MARK} {n} check{"s" * (n != 1)}"\n' + _text(cell['source'])
    return n

CHECK_MARK = '✓'

# A pipe table's row whose cell text holds a `|` (|ŷ − y|, $|x|$) splits there, and Markdown drops what does not fit
# the header: the row loses its answer and its link. Such a row is repaired: a bar inside $...$ becomes \vert, a
# bar with text right against it on one side (not a cell border, which the tables write as ` | `) becomes \|.
TABLE_RULE = re.compile(r'^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)+\|?\s*$')

def table_cells(line):
    "The cells of a pipe-table row (escaped bars \\| do not split)."
    body = line.strip()
    if body.startswith('|'): body = body[1:]
    if body.endswith('|') and not body.endswith('\\|'): body = body[:-1]
    return re.split(r'(?<!\\)\|', body)

def _repair_row(line, ncol):
    "The row with its text's bars escaped (see above), or None when it still does not fit `ncol` cells."
    row = re.sub(r'(?<!\\)\$([^$\n]+)\$', lambda m: '$' + m.group(1).replace('\\|', '\\Vert ').replace('|', '\\vert ') + '$', line)
    if len(table_cells(row)) == ncol: return row
    s = row.rstrip()
    lead, out = len(s) - len(s.lstrip()), []
    for i, ch in enumerate(s):
        if ch == '|' and (i == 0 or s[i - 1] != '\\') and lead < i < len(s) - 1 and not (s[i - 1].isspace() and s[i + 1].isspace()):
            out.append('\\|'); continue
        out.append(ch)
    row = ''.join(out)
    return row if len(table_cells(row)) == ncol else None

def repair_pipe_tables(md, where, problems):
    "Pipe tables of a Markdown text with every row cut to its header's cells (see above); rows that cannot be repaired are reported."
    lines = md.split('\n')
    for i in range(1, len(lines)):
        if not TABLE_RULE.match(lines[i]) or '|' not in lines[i - 1]: continue
        ncol = len(table_cells(lines[i - 1]))
        j = i + 1
        while j < len(lines) and lines[j].strip() and '|' in lines[j]:
            if len(table_cells(lines[j])) != ncol:
                fixed = _repair_row(lines[j], ncol)
                if fixed is None: problems.append(f"{where}: a table row has {len(table_cells(lines[j]))} cells for {ncol} columns: {lines[j][:100]!r}")
                else: lines[j] = fixed
            j += 1
    return '\n'.join(lines)

def _esc(s): return html.escape(str(s), quote=True)

class PageFiles:
    "The files a page's figures and widgets become, beside the page in _docs: name -> bytes (written after smalldocs)."
    def __init__(self, stem): self.stem, self.files, self.n = stem, {}, 0
    def add(self, data: bytes, kind='fig', ext='png'):
        self.n += 1
        name = f"figures/{self.stem}-{kind}{self.n:02d}-{hashlib.sha256(data).hexdigest()[:10]}.{ext}"
        self.files[name] = data
        return name

def figure_html(data: bytes, name: str, up: str, alt: str, alt_from: str, eager=False, cap=None, cls='gd-fig'):
    "A content figure: the PNG file at its 1x size (width and height set, so nothing moves), lazy, linked to itself at full size."
    w, h = one_x(data)
    lazy = ' fetchpriority="high"' if eager else ' loading="lazy"'
    img = (f'<img src="{up}{name}" width="{w}" height="{h}"{lazy} decoding="async" class="img-fluid {cls}" '
           f'alt="{_esc(alt)}" data-alt-from="{alt_from}">')
    link = f'<a class="gd-fig-link" href="{up}{name}" title="Open the figure at full size">{img}</a>'
    if cap: return f'<figure class="figure gd-figure">{link}<figcaption>{_esc(cap)}</figcaption></figure>'
    return link

def _alt_for(opts, n, src, next_md):
    "A figure's alt text and where it came from: the cell's fig-alt (a list gives one per figure), its titles, or the sentence after it."
    alt = opts.get('fig-alt')
    if isinstance(alt, list): alt = alt[n] if n < len(alt) else None
    if alt: return str(alt), 'fig-alt'
    titles = figure_titles(src)
    if titles: return 'Figure: ' + '; '.join(titles), 'title'
    if next_md: return 'Figure: ' + first_sentence(next_md), 'text'
    return 'Figure', 'none'

def _models_under(state, mid, seen=None):
    "The model ids a widget refers to (its children, its outputs), itself first."
    seen = seen if seen is not None else []
    if mid in seen or mid not in state: return seen
    seen.append(mid)
    def walk(v):
        if isinstance(v, str) and v.startswith('IPY_MODEL_'): _models_under(state, v[len('IPY_MODEL_'):], seen)
        elif isinstance(v, list): [walk(x) for x in v]
        elif isinstance(v, dict): [walk(x) for x in v.values()]
    walk(state[mid].get('state', {}))
    return seen

def _saved_pictures(state, mid):
    "The PNGs a plain ipywidgets widget shows (its Output widgets' saved images), base64."
    out = []
    for m in _models_under(state, mid):
        for o in state[m].get('state', {}).get('outputs', []) or []:
            png = (o.get('data') or {}).get('image/png')
            if png: out.append(_text(png).strip())
    return out

def widget_html(data, state, files, up, esm_files, alt, eager):
    """A saved widget view on the page. A page explorer (an anywidget model): a placeholder the site's renderer
    (tools/site/widgets.js) fills, holding a reserve of its size, with its default picture for pages without JavaScript.
    Any other saved widget (ipywidgets controls drawn by a kernel's callback) would be a dead control on a page with no
    kernel: its saved picture is shown instead, with a line that says so. Returns (html, model ids the page needs)."""
    view = data[WIDGET_VIEW]
    mid = view.get('model_id')
    model = state.get(mid)
    if model and model.get('model_module') == 'anywidget' and '_esm' in model.get('state', {}):
        s = model['state']
        spec = s.get('spec') or {}
        esm = s['_esm']
        key = hashlib.sha256(esm.encode()).hexdigest()[:12]
        esm_files.setdefault(f'site_libs/explorers/{key}.js', esm)
        W, H = spec.get('width') or 640, spec.get('height') or 400
        reserve = explorer_reserve(spec, W, H)
        still = ''
        if 'image/png' in data:
            png = base64.b64decode(_text(data['image/png']).strip())
            name = files.add(png, 'explorer')
            still = f'<noscript>{figure_html(png, name, up, alt, "fig-alt" if alt else "none", cls="gd-fig gd-explorer-still")}</noscript>'
        html_ = (f'<div class="gd-widget gd-widget-explorer" data-model-id="{_esc(mid)}" data-css-key="{key}" '
                 f'style="--gd-w: {W}; --gd-h: {H}">{reserve}{still}</div>')
        return html_, [mid]
    # plain ipywidgets: their picture, not a control that cannot move here
    pngs = ([_text(data['image/png']).strip()] if 'image/png' in data else []) or _saved_pictures(state, mid)
    if not pngs: return '', []
    parts = []
    for b64 in pngs[:1]:
        png = base64.b64decode(b64)
        name = files.add(png, 'widget')
        parts.append(figure_html(png, name, up, alt or 'the explorer at its starting values', 'fig-alt' if alt else 'none', eager=eager))
    note = ('<p class="gd-widget-note">The explorer at its starting values. Its controls run Python: they move in Jupyter, '
            'where a kernel reruns it, and not on this page.</p>')
    return f'<div class="gd-widget gd-widget-still">{"".join(parts)}{note}</div>', []

def explorer_reserve(spec, W, H):
    """Room for an explorer until the renderer draws it: a row like its controls, its status line and a box of its picture's shape
    (styles.css gives them the explorer's own sizes), so the text after it does not move when it appears."""
    rows = []
    for c in spec.get('controls', []):
        label = _esc(c.get('label') or c.get('name', ''))
        if c.get('kind') == 'select':
            ctl = '<select disabled tabindex="-1">' + ''.join(f'<option>{_esc(o)}</option>' for o in c.get('options', [])[:1]) + '</select>'
        elif c.get('kind') == 'check': ctl = '<input type="checkbox" disabled tabindex="-1">'
        else: ctl = '<input type="range" disabled tabindex="-1">'
        out = '' if c.get('kind') in ('select', 'check') else '<output>0.000</output>'
        rows.append(f'<label class="gd-control"><span class="gd-label">{label}</span>{ctl}{out}</label>')
    return (f'<div class="gd-widget-reserve" aria-hidden="true"><div class="gd-controls">{"".join(rows)}</div>'
            f'<p class="gd-status">&nbsp;</p><div class="gd-stage-reserve"></div></div>')  # the status line's room too

def finish_notebook(path, renames, host, page):
    """Post-process one processed notebook in place: links, show_doc anchors, pipe tables, figures as files, check
    cells folded, widgets. Returns what the page needs after smalldocs: its widget models, files, module files, notes."""
    nb = json.loads(path.read_text())
    if nb['cells'] and nb['cells'][0]['cell_type'] == 'raw':  # smalldocs ignores output-file: the file name now says it
        src = _text(nb['cells'][0]['source'])
        nb['cells'][0]['source'] = re.sub(r'^output-file:.*\n', '', src, flags=re.M)
    depth = len(path.relative_to(PROC).parts) - 1
    up = '../' * depth
    stem = Path(page).with_suffix('').as_posix().replace('/', '-')
    state = ((nb.get('metadata') or {}).get('widgets') or {}).get(WIDGET_STATE) or {}
    models = state.get('state', {}) if isinstance(state, dict) else {}
    files, esm_files, used, problems, folds, figs = PageFiles(stem), {}, [], [], [], []
    cells = nb['cells']
    for idx, cell in enumerate(cells):
        where = f"{page} cell {idx}"
        if cell['cell_type'] == 'markdown':
            cell['source'] = repair_pipe_tables(_relink(_text(cell['source']), renames, host, depth), where, problems)
            continue
        if cell['cell_type'] != 'code': continue
        src = _text(cell['source'])
        opts = _cell_options(src)
        next_md = next((_text(c['source']) for c in cells[idx + 1:idx + 3] if c['cell_type'] == 'markdown'), '')
        n_pic = 0
        for out in cell.get('outputs', []):
            data = out.get('data') or {}
            if 'text/markdown' in data:
                md = _relink(_text(data['text/markdown']), renames, host, depth)
                data['text/markdown'] = repair_pipe_tables(_anchor_show_doc(md) if _is_show_doc(cell) else md, where, problems)
            if WIDGET_VIEW in data:
                alt, _ = _alt_for(opts, n_pic, src, '') if opts.get('fig-alt') else ('', '')
                html_, mids = widget_html(data, models, files, up, esm_files, alt, eager=not figs)
                used += mids
                out['data'] = {'text/html': html_}
                n_pic += 1
            elif 'image/png' in data and 'text/html' not in data:
                png = base64.b64decode(_text(data['image/png']).strip())
                alt, alt_from = _alt_for(opts, n_pic, src, next_md)
                name = files.add(png)
                caps = opts.get('fig-cap')
                cap = caps[n_pic] if isinstance(caps, list) and n_pic < len(caps) else caps if isinstance(caps, str) else None
                out['data'] = {'text/html': figure_html(png, name, up, alt, alt_from, eager=not figs, cap=cap)}
                figs.append({'file': name, 'alt_from': alt_from, 'cell': idx})
                n_pic += 1
        n = fold_checks(cell)
        if n: folds.append(n)
    # the state the page needs: its explorers' models, with their module and pictures moved to files
    page_models = {}
    for mid in used:
        m = json.loads(json.dumps(models[mid]))
        s = m['state']
        esm = s.pop('_esm')
        s['_gd_esm'] = f"{up}site_libs/explorers/{hashlib.sha256(esm.encode()).hexdigest()[:12]}.js"
        if isinstance(s.get('backdrop'), str) and s['backdrop']:
            s.setdefault('_gd_files', {})['backdrop'] = up + files.add(base64.b64decode(s.pop('backdrop')), 'backdrop')
        page_models[mid] = m
    if isinstance(nb.get('metadata'), dict): nb['metadata'].pop('widgets', None)  # the page carries only what it needs
    path.write_text(json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + '\n')
    css = {hashlib.sha256(models[m]['state']['_esm'].encode()).hexdigest()[:12]: models[m]['state'].get('_css', '') for m in used}
    return {'models': page_models, 'files': files.files, 'esm': esm_files, 'css': css, 'problems': problems,
            'checks_folded': folds, 'figures': figs}

def _map_strings(obj, f):
    if isinstance(obj, dict): return {k: _map_strings(v, f) for k, v in obj.items()}
    if isinstance(obj, list): return [_map_strings(v, f) for v in obj]
    return f(obj) if isinstance(obj, str) else obj

def write_config(renames):
    "_proc/_quarto.yml: the project's _quarto.yml with its metadata files merged in, notebooks renamed, output to _docs."
    import yaml
    from smalldocs.config import merge, as_list
    cfg = yaml.safe_load((ROOT/'_quarto.yml').read_text()) or {}
    for extra in as_list(cfg.pop('metadata-files', None)):
        for p in (ROOT/extra, NBS/extra):
            if p.exists():
                cfg = merge(yaml.safe_load(p.read_text()) or {}, cfg)
                break
    def rename(s):
        base, hash_, frag = s.partition('#')
        return renames[base] + hash_ + frag if base in renames else s
    cfg = _map_strings(cfg, rename)
    cfg.setdefault('project', {})['output-dir'] = str(DOCS)
    (PROC/'_quarto.yml').write_text(yaml.safe_dump(cfg, sort_keys=False, allow_unicode=True))

def source_date():
    "The time stamp every built file carries: SOURCE_DATE_EPOCH, else the last commit's time."
    if os.environ.get('SOURCE_DATE_EPOCH'): return int(os.environ['SOURCE_DATE_EPOCH'])
    r = subprocess.run(['git', 'log', '-1', '--format=%ct'], cwd=ROOT, capture_output=True, text=True)
    return int(r.stdout.strip()) if r.returncode == 0 and r.stdout.strip() else 0

def process_all():
    "nbs/ -> _proc/: nbdev's processing of every notebook, then this site's post-processing. Returns (pages, problems)."
    if PROC.exists(): shutil.rmtree(PROC)
    PROC.mkdir()
    nbs = notebooks()
    tmp = [PROC/f'.raw-{i}.ipynb' for i in range(len(nbs))]
    problems = []
    def run(job):  # one fresh interpreter per notebook, as nbdev's proc_nbs spawns one
        src, dst = job
        r = subprocess.run([sys.executable, __file__, '--process', str(src), str(dst)], cwd=ROOT, capture_output=True, text=True)
        if r.returncode == 0 and dst.exists(): return json.loads(r.stdout)
        why = (r.stderr.strip().splitlines() or ['no message'])[-1]
        try: nb = json.loads(src.read_text())  # still show the notebook as saved, unprocessed
        except ValueError as e: return [f"{src.name}: not a readable notebook ({e}); no page"]
        dst.write_text(json.dumps(nb))
        return [f"{src.name}: nbdev's docs processing failed ({why}); the page shows the notebook unprocessed"]
    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as ex:
        for probs in ex.map(run, zip(nbs, tmp)): problems += probs
    # name each processed notebook after its nbdev output-file
    renames, pages = {}, []
    for src, t in list(zip(nbs, tmp)):
        if not t.exists():
            nbs.remove(src)
            continue
        rel = src.relative_to(NBS)
        out = _frontmatter(json.loads(t.read_text())).get('output-file') or _nbpath2html(rel).name
        new = rel.parent/Path(out).with_suffix('.ipynb')
        if str(new) in renames.values():
            problems.append(f"{rel}: its output-file {out} is taken by another notebook; kept as {rel.name}")
            new = rel
        renames[rel.as_posix()] = new.as_posix()
        (PROC/new).parent.mkdir(parents=True, exist_ok=True)
        t.rename(PROC/new)
    host = _doc_host()
    for src in nbs:
        rel = src.relative_to(NBS).as_posix()
        page = renames[rel][:-len('.ipynb')] + '.html'
        title = _frontmatter(json.loads((PROC/renames[rel]).read_text())).get('title')
        done = finish_notebook(PROC/renames[rel], renames, host, page)
        problems += done.pop('problems')
        pages.append({'notebook': rel, 'page': page, 'title': title, **done})
    # other files beside the notebooks (styles.css, pictures), as nbdev's proc_nbs copies them
    for f in sorted(NBS.rglob('*')):
        r = f.relative_to(NBS)
        if f.is_file() and f.suffix != '.ipynb' and not any(p.startswith(('_', '.')) for p in r.parts) \
           and f.name not in ('nbdev.yml', 'sidebar.yml'):
            (PROC/r).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f, PROC/r)
    write_config(renames)
    stamp = source_date()
    for f in PROC.rglob('*'): os.utime(f, (stamp, stamp))
    return pages, problems

# ---------------------------------------------------------------- smalldocs and the self-contained site

def render():
    from smalldocs.site import build
    site = build(PROC, quiet=True)
    return [w for w in site.warnings if 'smalldocs runs no code' not in w]

def copy_assets():
    "KaTeX's stylesheet and fonts, the theme's font (shown only when it is there before the first paint), the site's scripts, into _docs/site_libs."
    libs = DOCS/'site_libs'
    katex = NODE/'katex'/'dist'
    (libs/'katex'/'contrib').mkdir(parents=True, exist_ok=True)
    # the maths are typeset at build time; the script stays for a page whose text still holds TeX for the browser
    for f in ('katex.min.css', 'katex.min.js', 'contrib/auto-render.min.js'): shutil.copyfile(katex/f, libs/'katex'/f)
    shutil.copytree(katex/'fonts', libs/'katex'/'fonts', ignore=shutil.ignore_patterns('*.ttf', '*.woff'))
    (libs/'katex'/'katex.min.css').write_text(re.sub(r',url\(fonts/[^)]+\.(?:woff|ttf)\) format\("(?:woff|truetype)"\)', '', (katex/'katex.min.css').read_text()))
    shutil.copyfile(ASSETS/'widgets.js', libs/'gd-widgets.js')
    shutil.copyfile(ASSETS/'site.js', libs/'gd-site.js')
    font = NODE/'@fontsource'/'source-sans-pro'
    css = [(font/f'{w}.css').read_text() for w in (300, 400, 700)]
    css = [re.sub(r", url\(\./files/[^)]+\.woff\) format\('woff'\)", '', c) for c in css]  # woff2 is enough for the browsers checked
    files = sorted({m for c in css for m in re.findall(r'url\(\./files/([^)]+)\)', c)})
    (libs/'fonts'/'files').mkdir(parents=True, exist_ok=True)
    for f in files: shutil.copyfile(font/'files'/f, libs/'fonts'/'files'/f)
    # `optional`: the font is used when it is there before the first paint (it is preloaded), else the page keeps
    # the fallback font: text never reflows under the reader when the font arrives late
    (libs/'fonts'/'source-sans-pro.css').write_text('\n'.join(css).replace('font-display: swap;', 'font-display: optional;'))
    # the theme: its Google Fonts import becomes the local copy of the same font
    for theme in (libs/'themes').glob('*.css'):
        t = theme.read_text()
        t = re.sub(r'@import url\((?:https?:)?//fonts\.googleapis\.com/[^)]*\);', '@import url(../fonts/source-sans-pro.css);', t)
        theme.write_text(t)

KATEX_CDN = re.compile(r'https://cdn\.jsdelivr\.net/npm/katex@[^/"]+/dist')

DEEPER = re.compile(r'(<section id="(going-deeper[\w-]*)" class="level2">\s*)(<h2[^>]*>.*?</h2>)', re.S)
OPEN_ON_HASH = ("<script>(function(){function o(){var t=location.hash&&document.getElementById(decodeURIComponent(location.hash.slice(1)));"
                "for(;t;t=t.parentElement){if(t.tagName==='DETAILS')t.open=true;}}window.addEventListener('hashchange',o);"
                "document.addEventListener('DOMContentLoaded',o);})();</script>")

def fold_going_deeper(html):
    "The `## Going deeper` section of a lesson, folded: a <details> the reader opens (a link into it opens it too)."
    m = DEEPER.search(html)
    if not m: return html
    start, depth, i = m.end(), 1, m.end()
    for t in re.finditer(r'<(/?)section\b', html[start:]):
        depth += -1 if t.group(1) else 1
        if depth == 0: i = start + t.start(); break
    head = m.group(3).replace('class="anchored"', 'class="anchored no-anchor"', 1)  # no link inside the summary: it is the control
    summary = f'<summary class="going-deeper-summary">{head}<span class="going-deeper-hint">secondary analyses, computed and asserted like the rest: click to open</span></summary>'
    html = html[:m.start(3)] + f'<details class="going-deeper">{summary}' + html[start:i] + '</details>' + html[i:]
    return html.replace('</body>', OPEN_ON_HASH + '\n</body>', 1)

def add_downloads(pages):
    "Each lesson's runs as spreadsheets of live formulas (gd_notebooks.workbook.lesson_workbooks) in _docs/downloads, linked under the lesson's title."
    from gd_notebooks.workbook import lesson_workbooks
    out = DOCS/'downloads'
    out.mkdir(parents=True, exist_ok=True)
    files = sorted(p.name for p in map(Path, lesson_workbooks(out)))
    for p in pages:
        mine = [f for f in files if f.split('_')[0] == Path(p['notebook']).name.split('_')[0]]
        if not mine or not Path(p['notebook']).name[:1].isdigit(): continue
        f = DOCS/p['page']
        links = ', '.join(f'<a href="downloads/{n}" download>{n}</a>' for n in mine)
        box = (f'<p class="gd-downloads">This lesson in a spreadsheet, every cell a live formula you can change '
               f'(see <a href="workbook.html">Back to Excel</a>): {links}</p>')
        html = f.read_text()
        title = re.search(r'<header id="title-block-header".*?</header>', html, re.S)
        f.write_text(html[:title.end()] + box + html[title.end():] if title else html.replace('</h1>', '</h1>' + box, 1))
    return files

def link_downloads(html, files, offset, pages):
    """Every download the page names, linked: a file name in code (`<code>01_neuron_run.xlsx</code>`, or quoted in an
    output) becomes a link to it; a `## Downloads` section also gets the list of every file, each linked, by lesson."""
    if not files: return html
    names = '|'.join(map(re.escape, files))
    def code(m): return f'<a href="{offset}downloads/{m.group(1)}" download><code>{m.group(1)}</code></a>'
    html = re.sub(rf'(?<!download>)<code>({names})</code>', code, html)
    def quoted(m): return f'{m.group(1)}<a href="{offset}downloads/{m.group(2)}" download>{m.group(2)}</a>{m.group(3)}'
    html = re.sub(rf'(&#x27;|&quot;|\')({names})(&#x27;|&quot;|\')', quoted, html)
    sec = re.search(r'<section id="downloads" class="level2">.*?(?=<section id="|</main>)', html, re.S)
    if sec:
        titles = {Path(p['notebook']).name.split('_')[0]: p.get('title') or p['page'] for p in pages if Path(p['notebook']).name[:1].isdigit()}
        items = ''.join(f'<li><a href="{offset}downloads/{n}" download>{n}</a> ({_esc(titles.get(n.split("_")[0], ""))})</li>' for n in files)
        box = f'<div class="gd-downloads gd-download-list"><p>Every download of the course:</p><ul>{items}</ul></div>'
        end = sec.end()
        body = html[sec.start():end]
        close = body.rfind('</section>')
        at = sec.start() + close if close >= 0 else end
        html = html[:at] + box + html[at:]
    return html

# ---------------------------------------------------------------- the pages' own fixes

def docment_links(html):
    "nbdev links backticked names inside show_doc's parameter comments as Markdown, which a code block prints raw: make them links."
    def inner(m):
        return re.sub(r'\[`([^`<\]]+)`\]\(([^)\s"<]+)\)', lambda l: f'<a href="{l.group(2)}" class="gd-doclink">{l.group(1)}</a>', m.group(0))
    return re.sub(r'<span class="co">[^<]*\[`[^<]*</span>', inner, html)

def empty_headers_to_cells(html):
    "pandas' corner and index-name headers are empty <th>: a header that names nothing becomes a plain cell."
    return re.sub(r'<th\b([^>]*)>(?:\s|&nbsp;)*</th>', r'<td\1></td>', html)

def fold_check_cells(html):
    "The details smalldocs draws for a folded check cell get the class its style hangs on."
    return re.sub(r'<details class="code-fold">(\s*<summary>)' + CHECK_MARK, r'<details class="code-fold gd-checks">\1' + CHECK_MARK, html)

ID_ATTR = re.compile(r'<(\w+)\b[^>]*?(?<![\w-])id="([^"]+)"[^>]*>')

def unique_ids(html, page):
    """Ids made unique. An empty anchor repeating an id met earlier on the page (`<a id="verdict-x"></a>` twice) is
    dropped. A section whose id a show_doc heading also has (`## Adam` and `show_doc(Adam)`: both `adam`) becomes
    `adam-1`: nbdev's links (`adaptive.html#adam`) mean the class; the table of contents' links follow, in page order.
    Returns (html, notes, ids still repeated)."""
    notes, first = [], {}
    for m in ID_ATTR.finditer(html): first.setdefault(m.group(2), m.start())
    def drop(m):
        if first.get(m.group(1), m.start()) < m.start():
            notes.append(f"{page}: dropped a repeated empty anchor #{m.group(1)}"); return ''
        return m.group(0)
    html = re.sub(r'<a id="([^"]+)"></a>', drop, html)
    occ = {}
    for m in ID_ATTR.finditer(html): occ.setdefault(m.group(2), []).append(m.group(1))
    for i, tags in occ.items():
        if len(tags) < 2 or 'section' not in tags or not any(re.fullmatch(r'h[2-6]', t) for t in tags): continue
        new = next(f'{i}-{k}' for k in range(1, 100) if f'{i}-{k}' not in occ)
        names = [new if t == 'section' else i for t in tags]
        sec = re.search(rf'<section id="{re.escape(i)}"([^>]*)>(\s*<h[2-6][^>]*?data-anchor-id="){re.escape(i)}"', html)
        if sec: html = html[:sec.start()] + f'<section id="{new}"{sec.group(1)}>{sec.group(2)}{new}"' + html[sec.end():]
        toc = re.search(r'<nav id="TOC".*?</nav>', html, re.S)
        if toc:
            k = iter(names)
            def retarget(m):
                n = next(k, i)
                return (m.group(0).replace(f'href="#{i}"', f'href="#{n}"').replace(f'id="toc-{i}"', f'id="toc-{n}"')
                        .replace(f'data-scroll-target="#{i}"', f'data-scroll-target="#{n}"'))
            html = html[:toc.start()] + re.sub(rf'<a href="#{re.escape(i)}"[^>]*>', retarget, toc.group(0)) + html[toc.end():]
        notes.append(f"{page}: the section #{i} is #{new}; #{i} is show_doc's {i}, where nbdev links")
    seen, dup = set(), set()
    for m in ID_ATTR.finditer(html): (dup if m.group(2) in seen else seen).add(m.group(2))
    return html, notes, sorted(dup)

def phone_toc(html):
    "The page's table of contents again at the top of the text, folded, for screens too narrow for the margin (styles.css shows it there)."
    toc = re.search(r'<nav id="TOC"[^>]*>.*?(<ul\b.*</ul>)\s*</nav>', html, re.S)
    title = re.search(r'<header id="title-block-header".*?</header>', html, re.S)
    if not toc or not title: return html
    ul = re.sub(r'\s(?:id|data-scroll-target)="[^"]*"', '', toc.group(1)).replace(' class="nav-link"', '').replace(' class="nav-link active"', '')
    box = f'<details class="gd-toc-phone"><summary>On this page</summary><nav aria-label="On this page, for narrow screens">{ul}</nav></details>'
    return html[:title.end()] + box + html[title.end():]

# ---------------------------------------------------------------- fonts, maths, dark mode, widgets on every page

# Before the first paint: the theme follows the reader's light or dark preference (Bootstrap's own dark colours,
# `data-bs-theme`), and follows it when it changes.
SCHEME_JS = ("<script>(function(){var d=document.documentElement,m=window.matchMedia&&matchMedia('(prefers-color-scheme: dark)');"
             "function s(){var k=!!(m&&m.matches);d.setAttribute('data-bs-theme',k?'dark':'light');d.classList.toggle('quarto-dark',k);}"
             "s();if(m&&m.addEventListener)m.addEventListener('change',s);})();</script>")
# A link into a page (a verdict from the home page) lands on its target and stays there. The browser alone shows the top
# of a long page while it parses and jumps to the target at the load event. Instead: the first paint waits until the
# target is parsed (`<link rel=expect blocking=render>`), and before every frame until the load event the target is put
# under the header (the text below it may still be arriving: the page keeps room at its end meanwhile, `gd-landing`),
# unless the reader has scrolled; a folded section holding the target opens first.
LAND_JS = ("<script>(function(){var h=location.hash&&decodeURIComponent(location.hash.slice(1));if(!h||!window.MutationObserver)return;"
           "var d=document.documentElement,l=document.createElement('link');l.rel='expect';l.href='#'+encodeURIComponent(h);"
           "l.setAttribute('blocking','render');document.head.appendChild(l);d.classList.add('gd-landing');"
           "var user=false,queued=false,t=null;['wheel','touchstart','keydown','mousedown'].forEach(function(e){addEventListener(e,function(){user=true;},{passive:true,once:true});});"
           "function place(){queued=false;if(user)return;t=t||document.getElementById(h);if(!t)return;"
           "for(var p=t.parentElement;p;p=p.parentElement){if(p.tagName==='DETAILS'&&!p.open)p.open=true;}"
           "var hd=document.getElementById('quarto-header'),pad=(hd?hd.offsetHeight:0)+16;d.style.scrollPaddingTop=pad+'px';"
           "if(Math.abs(t.getBoundingClientRect().top-pad)>1)t.scrollIntoView();}"
           "var mo=new MutationObserver(function(){if(!queued){queued=true;requestAnimationFrame(place);}});"
           "mo.observe(d,{childList:true,subtree:true});"
           "addEventListener('load',function(){mo.disconnect();d.classList.remove('gd-landing');place();});})();</script>")
# Fonts a page needs before its first paint, preloaded: a font that arrives later would change the width of text already
# laid out. The theme's font comes in subsets by unicode range (latin, latin-ext for ŷ, greek for κ, ...): each subset
# whose range the page's text uses, regular and bold. KaTeX's fonts: those its typeset HTML asks for, by class.
KATEX_CLASS_FONTS = [('', 'KaTeX_Main-Regular'), ('mathnormal', 'KaTeX_Math-Italic'), ('boldsymbol', 'KaTeX_Math-BoldItalic'),
                     ('mathbf', 'KaTeX_Main-Bold'), ('textbf', 'KaTeX_Main-Bold'), ('mathit', 'KaTeX_Main-Italic'), ('textit', 'KaTeX_Main-Italic'),
                     ('size1', 'KaTeX_Size1-Regular'), ('small-op', 'KaTeX_Size1-Regular'), ('size2', 'KaTeX_Size2-Regular'),
                     ('large-op', 'KaTeX_Size2-Regular'), ('size3', 'KaTeX_Size3-Regular'), ('size4', 'KaTeX_Size4-Regular'),
                     ('amsrm', 'KaTeX_AMS-Regular'), ('mathbb', 'KaTeX_AMS-Regular'), ('mathcal', 'KaTeX_Caligraphic-Regular'),
                     ('mathsf', 'KaTeX_SansSerif-Regular'), ('textsf', 'KaTeX_SansSerif-Regular'), ('mathtt', 'KaTeX_Typewriter-Regular'),
                     ('texttt', 'KaTeX_Typewriter-Regular'), ('mathfrak', 'KaTeX_Fraktur-Regular'), ('mathscr', 'KaTeX_Script-Regular')]

def katex_fonts(html_):
    "The KaTeX font files the page's typeset maths use."
    if 'class="katex"' not in html_: return []
    classes = set(re.findall(r'class="([^"]*)"', html_)) if html_ else set()
    words = {w for c in classes for w in c.split()}
    return sorted({f'{f}.woff2' for c, f in KATEX_CLASS_FONTS if not c or c in words})

def _ranges(spec):
    out = []
    for part in spec.split(','):
        a, _, b = part.strip()[2:].partition('-')
        out.append((int(a, 16), int(b or a, 16)))
    return out

def font_subsets():
    "The theme font's files by subset: [(unicode ranges, [regular file, bold file])], from @fontsource's stylesheets."
    font = NODE/'@fontsource'/'source-sans-pro'
    subsets = {}
    for w in (400, 700):
        for m in re.finditer(r"src: url\(\./files/(source-sans-pro-([\w-]+)-%d-normal\.woff2)\).*?unicode-range: ([^;]+);" % w, (font/f'{w}.css').read_text(), re.S):
            subsets.setdefault(m.group(2), [_ranges(m.group(3)), []])[1].append(m.group(1))
    return list(subsets.values())

def text_fonts(html_, subsets):
    "The theme font's files the page's text needs (the subsets its characters fall in), regular and bold."
    text = re.sub(r'<(script|style)\b.*?</\1>|<span class="katex">.*?</annotation></semantics></math></span>', ' ', html_, flags=re.S)
    chars = {ord(c) for c in html.unescape(re.sub(r'<[^>]+>', ' ', text))}
    return [f for ranges, files in subsets if any(a <= c <= b for c in chars for a, b in ranges) for f in files]
MATH_SPAN = re.compile(r'<span class="math (inline|display)">(.*?)</span>', re.S)
KATEX_SCRIPTS = re.compile(r'<script src="[^"]*site_libs/katex/(?:katex\.min|contrib/auto-render\.min)\.js" defer></script>')

def _math_source(kind, body):
    tex = html.unescape(body).strip()
    l, r = ('\\(', '\\)') if kind == 'inline' else ('\\[', '\\]')
    if tex.startswith(l) and tex.endswith(r): tex = tex[2:-2]
    return tex

def typeset(texts):
    "KaTeX's HTML for each (tex, display) pair, from one node process (tools/site/katex_render.cjs)."
    if not texts: return []
    node = shutil.which('node')
    if not node: sys.exit("build_site: node not found; it typesets the maths (Debian: apt-get install nodejs)")
    r = subprocess.run([node, str(ASSETS/'katex_render.cjs')], input=json.dumps(texts), capture_output=True, text=True, cwd=ASSETS)
    if r.returncode: sys.exit(f"build_site: KaTeX failed: {r.stderr[-2000:]}")
    return json.loads(r.stdout)

def untypeset(html):
    "Maths left for the browser: TeX delimiters in the page's text outside code, scripts and typeset maths."
    text = re.sub(r'<(script|style|pre|code)\b.*?</\1>', '', html, flags=re.S)
    text = re.sub(r'<span class="katex">.*?</annotation>', '', text, flags=re.S)
    return re.findall(r'\\\((?:.|\n){1,300}?\\\)|\\\[(?:.|\n){1,800}?\\\]', text)

def widget_tags(models, css, offset):
    "A page's explorers: their saved state (small: the module and the pictures are files) and the renderer."
    state = json.dumps({'version_major': 2, 'version_minor': 0, 'state': models}, sort_keys=True).replace('</', '<\\/')
    styles = ''.join(f'<style data-gd-css="{k}">{c}</style>' for k, c in sorted(css.items()) if c)
    return styles, (f'<script type="{WIDGET_STATE}">{state}</script>\n'
                    f'<script defer src="{offset}site_libs/gd-widgets.js"></script>\n')

def finish_pages(pages, downloads):
    """Every page after smalldocs: local KaTeX (its maths typeset here, its script dropped where nothing is left for it),
    the site's icon, fonts preloaded, the dark theme, `Going deeper` and check cells folded, ids made unique, docments'
    links, table headers, downloads linked, a phone table of contents, and the page explorers' state and renderer.
    Returns the build notes and the ids still repeated, by page."""
    shutil.copyfile(ASSETS/'favicon.svg', DOCS/'favicon.svg')
    by_page = {p['page']: p for p in pages}
    notes, repeated, todo = [], {}, {}
    maths, subsets = [], font_subsets()
    for f in sorted(DOCS.rglob('*.html')):
        rel = f.relative_to(DOCS).as_posix()
        if rel.startswith('site_libs/'): continue
        html_ = f.read_text()
        offset = '../' * rel.count('/')
        html_ = fold_going_deeper(KATEX_CDN.sub(f'{offset}site_libs/katex', html_))
        if '<link rel="icon"' not in html_:
            html_ = html_.replace('<title>', f'<link rel="icon" href="{offset}favicon.svg" type="image/svg+xml">\n<title>', 1)
        html_ = fold_check_cells(empty_headers_to_cells(docment_links(html_)))
        html_, n, dup = unique_ids(html_, rel)
        notes += n
        if dup: repeated[rel] = dup
        html_ = phone_toc(link_downloads(html_, downloads, offset, pages))
        p = by_page.get(rel) or {}
        head = SCHEME_JS + LAND_JS + '<meta name="color-scheme" content="light dark">'
        head += ''.join(f'<link rel="preload" href="{offset}site_libs/fonts/files/{ff}" as="font" type="font/woff2" crossorigin>' for ff in text_fonts(html_, subsets))
        tail = f'<script defer src="{offset}site_libs/gd-site.js"></script>\n'
        if p.get('models'):
            styles, tags = widget_tags(p['models'], p.get('css', {}), offset)
            head += styles
            tail = tags + tail
        html_ = re.sub(r'(<meta charset="utf-8">)', lambda m: m.group(1) + head, html_, count=1)
        html_ = html_.replace('</body>', tail + '</body>', 1)
        spans = [(m.group(1), m.group(2)) for m in MATH_SPAN.finditer(html_)]
        todo[f] = (html_, len(maths), len(spans))
        maths += [(_math_source(k, b), k == 'display') for k, b in spans]
    typeset_html = typeset(maths)
    for f, (html_, start, n) in todo.items():
        it = iter(typeset_html[start:start + n])
        html_ = MATH_SPAN.sub(lambda m: f'<span class="math {m.group(1)}">{next(it)}</span>', html_)
        if not untypeset(html_): html_ = KATEX_SCRIPTS.sub('', html_)
        offset = '../' * f.relative_to(DOCS).as_posix().count('/')
        links = ''.join(f'<link rel="preload" href="{offset}site_libs/katex/fonts/{ff}" as="font" type="font/woff2" crossorigin>' for ff in katex_fonts(html_))
        html_ = html_.replace('<meta name="color-scheme" content="light dark">', '<meta name="color-scheme" content="light dark">' + links, 1)
        f.write_text(html_)
    return notes, repeated

ICON_RULE = re.compile(r'\.bi-([a-z0-9-]+)::before\{content:"\\(f[0-9a-f]+)"\}')

def subset_icons():
    """The theme's icon font cut to the icons the site uses (130 kB + 86 kB of stylesheet on every page, for a
    dozen icons): the icon classes in the built pages and in smalldocs' and the site's scripts and stylesheets,
    and the icons those stylesheets name by code point. The cut font travels inside the stylesheet (a few kB), so
    the icons draw with the first paint. Returns the icon names kept."""
    import io, logging
    from fontTools import subset
    logging.getLogger('fontTools').setLevel(logging.ERROR)  # it remarks on the font's own padding bytes
    d = DOCS/'site_libs'/'bootstrap-icons'
    css = (d/'bootstrap-icons.min.css').read_text()
    codes = {name: code for name, code in ICON_RULE.findall(css)}
    texts = [f.read_text(errors='replace') for f in DOCS.rglob('*') if f.suffix in ('.html', '.js', '.css') and d not in f.parents]
    names = sorted({n for t in texts for n in re.findall(r'\bbi-([a-z0-9-]+)', t) if n in codes})
    points = {int(codes[n], 16) for n in names}
    points |= {int(c, 16) for t in texts for c in re.findall(r'content:\s*"\\(f[0-9a-f]{3})"', t)}
    font = subset.load_font(str(d/'fonts'/'bootstrap-icons.woff'), subset.Options())
    opts = subset.Options(); opts.flavor = 'woff'; opts.layout_features = []; opts.name_IDs = []; opts.notdef_outline = True
    sub = subset.Subsetter(opts); sub.populate(unicodes=sorted(points)); sub.subset(font)
    buf = io.BytesIO(); font.flavor = 'woff'; font.save(buf)
    head = css[:css.index('@font-face')]
    base = re.search(r'\.bi::before,\[class\*=" bi-"\]::before.*?\}', css).group(0)
    face = ('@font-face{font-display:block;font-family:bootstrap-icons;src:url(data:font/woff;base64,'
            + base64.b64encode(buf.getvalue()).decode() + ') format("woff")}')
    (d/'bootstrap-icons.min.css').write_text(head + face + base + '\n' + ''.join(f'.bi-{n}::before{{content:"\\{codes[n]}"}}' for n in names) + '\n')
    shutil.rmtree(d/'fonts')
    return names

def write_page_files(pages):
    "The figures and explorers' pictures of every page, and the explorers' modules, into _docs."
    for p in pages:
        for name, data in (p.get('files') or {}).items():
            (DOCS/name).parent.mkdir(parents=True, exist_ok=True)
            (DOCS/name).write_bytes(data)
        for name, text in (p.get('esm') or {}).items():
            (DOCS/name).parent.mkdir(parents=True, exist_ok=True)
            (DOCS/name).write_text(text)

def unlink_missing_anchors():
    """nbdev links every backticked name of the package, private helpers included, to `page.html#name`; where
    the page documents no such name (no show_doc), the link would lead nowhere: keep the code, drop the link."""
    ns = {}
    exec((ROOT/'gd_notebooks'/'_modidx.py').read_text(), ns)
    nbdev_links = {link for syms in ns['d']['syms'].values() for link, _ in syms.values()}
    ids = {f.relative_to(DOCS).as_posix(): set(re.findall(r'\bid="([^"]+)"', f.read_text())) for f in DOCS.rglob('*.html')}
    dropped = []
    for f in sorted(DOCS.rglob('*.html')):
        rel = f.relative_to(DOCS).as_posix()
        def sub(m):
            href = m.group(1)
            target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), href.split('#')[0]))
            page_anchor = f"{target}#{href.split('#', 1)[1]}"
            if page_anchor in nbdev_links and href.split('#', 1)[1] not in ids.get(target, set()):
                dropped.append(f"{rel}: {page_anchor} (no show_doc for it)")
                return m.group(2)
            return m.group(0)
        html = f.read_text()
        new = re.sub(r'<a href="([^"#:]*\.html#[^"]+)">(<code>[^<]*</code>)</a>', sub, html)
        new = re.sub(r'<a href="([^"#:]*\.html#[^"]+)" class="gd-doclink">([^<]*)</a>', sub, new)
        if new != html: f.write_text(new)
    return sorted(set(dropped))

def off_host_references():
    "Every place in _docs that would make the browser load something from another host."
    bad = []
    for f in sorted(DOCS.rglob('*')):
        if f.suffix not in ('.html', '.css'): continue
        text = f.read_text(errors='replace')
        if f.suffix == '.html':  # only what the browser loads: scripts, stylesheets, pictures, frames
            for m in re.finditer(r'<(script|link|img|iframe|source|video|audio|embed)\b[^>]*>', text, re.I):
                tag = m.group(0)
                if m.group(1).lower() == 'link' and not re.search(r'rel=["\']?(stylesheet|preload|icon|modulepreload)', tag, re.I): continue
                if OFF_HOST.search(tag): bad.append(f'{f.relative_to(DOCS)}: {tag[:160]}')
            for m in re.finditer(r'<style\b[^>]*>(.*?)</style>', text, re.S | re.I):
                if OFF_HOST.search(m.group(1)): bad.append(f'{f.relative_to(DOCS)}: <style> loads from another host')
        else:
            code = re.sub(r'/\*.*?\*/', '', text, flags=re.S)
            for m in re.finditer(r'(?:@import\s+url|url)\(\s*["\']?((?:https?:)?//[^)"\']+)', code):
                bad.append(f'{f.relative_to(DOCS)}: {m.group(1)}')
    return bad

def build():
    t0 = time.perf_counter()
    npm_assets()
    t1 = time.perf_counter()
    pages, problems = process_all()
    t2 = time.perf_counter()
    warnings = render()
    copy_assets()
    write_page_files(pages)
    downloads = add_downloads(pages)
    notes, repeated = finish_pages(pages, downloads)
    icons = subset_icons()
    unlinked = unlink_missing_anchors()
    stamp = source_date()
    bad = off_host_references()
    if bad: sys.exit('build_site: the site would load from other hosts:\n  ' + '\n  '.join(bad))
    tables = [p for p in problems if ': a table row has ' in p]
    problems = [p for p in problems if p not in tables]
    report = {'pages': [{'notebook': p['notebook'], 'page': p['page'], 'widgets': bool(p['models']),
                         'explorers': len(p['models']), 'figures': p['figures'], 'checks_folded': p['checks_folded']} for p in pages],
              'problems': problems, 'table_rows': tables, 'repeated_ids': repeated, 'notes': notes, 'icons': icons, 'downloads': downloads, 'smalldocs_warnings': warnings, 'unlinked': unlinked}
    (DOCS/REPORT).write_text(json.dumps(report, indent=1) + '\n')
    for f in DOCS.rglob('*'): os.utime(f, (stamp, stamp))
    t3 = time.perf_counter()
    for p in problems + tables: say('PROBLEM', p)
    for p, ids in repeated.items(): say('PROBLEM', f'{p}: ids used more than once: {ids}')
    for n in notes: say('note', n)
    for w in warnings: say('smalldocs:', w)
    for u in unlinked: say('unlinked', u)
    say(f"{len(pages)} notebook page(s) in {DOCS.relative_to(ROOT)}/ in {t3 - t0:.1f} s "
        f"(npm {t1 - t0:.1f} s, nbdev processing {t2 - t1:.1f} s, render {t3 - t2:.1f} s)")

if __name__ == '__main__':
    os.chdir(ROOT)
    if sys.argv[1:2] == ['--process']:
        print(json.dumps(process_notebook(*sys.argv[2:4])))
    else: build()
