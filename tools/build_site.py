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
   - saved ipywidgets become `widget-view+json` script tags that the embed manager draws from
     the notebook's saved widget state.
3. smalldocs renders _proc/ with the same _quarto.yml (navbar, sidebar, search) into _docs/.
4. _docs/ is made self-contained: KaTeX, the widget embed manager and the theme's font are
   copied from node_modules and served locally; the theme's Google Fonts import and the KaTeX
   CDN links are replaced. The build fails if any page or stylesheet still loads something from
   another host.

Deterministic: the same tree gives the same _docs/ byte for byte (file dates come from the last
commit, or SOURCE_DATE_EPOCH). A notebook whose docs processing fails (say, an import mixed with
code in one cell, or a module not exported yet) is still rendered from its saved outputs; the
problem is printed and listed in _docs/.build-report.json, and tests/test_site.py reports it.
"""
import json, os, posixpath, re, shutil, subprocess, sys, time
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

def finish_notebook(path, renames, host):
    "Post-process one processed notebook in place: links, show_doc anchors, widgets. Returns its widget state or None."
    nb = json.loads(path.read_text())
    if nb['cells'] and nb['cells'][0]['cell_type'] == 'raw':  # smalldocs ignores output-file: the file name now says it
        src = _text(nb['cells'][0]['source'])
        nb['cells'][0]['source'] = re.sub(r'^output-file:.*\n', '', src, flags=re.M)
    depth = len(path.relative_to(PROC).parts) - 1
    for cell in nb['cells']:
        if cell['cell_type'] == 'markdown':
            cell['source'] = _relink(_text(cell['source']), renames, host, depth)
        for out in cell.get('outputs', []):
            data = out.get('data') or {}
            if 'text/markdown' in data:
                md = _relink(_text(data['text/markdown']), renames, host, depth)
                data['text/markdown'] = _anchor_show_doc(md) if _is_show_doc(cell) else md
            if WIDGET_VIEW in data:
                view = json.dumps(data[WIDGET_VIEW], sort_keys=True).replace('</', '<\\/')
                # a page that runs no JavaScript shows the explorer's default state, when the output has its picture
                still = f'<noscript><img src="data:image/png;base64,{_text(data["image/png"]).strip()}" class="img-fluid" alt="the explorer at its default settings"></noscript>' if 'image/png' in data else ''
                out['data'] = {'text/html': f'<script type="{WIDGET_VIEW}">{view}</script>{still}'}
    state = ((nb.get('metadata') or {}).get('widgets') or {}).get(WIDGET_STATE)
    path.write_text(json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + '\n')
    has_views = any(WIDGET_VIEW in _text((o.get('data') or {}).get('text/html'))
                    for c in nb['cells'] for o in c.get('outputs', []))
    return state if (state and has_views) else None

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
        state = finish_notebook(PROC/renames[rel], renames, host)
        pages.append({'notebook': rel, 'page': renames[rel][:-len('.ipynb')] + '.html', 'widget_state': state})
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
    "KaTeX, the widget embed manager and the theme's font, from node_modules into _docs/site_libs."
    libs = DOCS/'site_libs'
    katex = NODE/'katex'/'dist'
    (libs/'katex'/'contrib').mkdir(parents=True, exist_ok=True)
    for f in ('katex.min.css', 'katex.min.js', 'contrib/auto-render.min.js'): shutil.copyfile(katex/f, libs/'katex'/f)
    shutil.copytree(katex/'fonts', libs/'katex'/'fonts')
    hm = NODE/'@jupyter-widgets'/'html-manager'/'dist'
    shutil.copytree(hm, libs/'widgets', ignore=shutil.ignore_patterns('*.map', 'embed.js', 'libembed-amd.js', '*.LICENSE.txt', 'README.md'))
    # the AMD embed manager loads custom widget modules (anywidget) through require.js, from this host
    shutil.copyfile(NODE/'requirejs'/'require.js', libs/'require.js')
    (libs/'anywidget').mkdir(exist_ok=True)
    shutil.copyfile(NODE/'anywidget'/'dist'/'index.js', libs/'anywidget'/'index.js')
    font = NODE/'@fontsource'/'source-sans-pro'
    css = [(font/f'{w}.css').read_text() for w in (300, 400, 700)]
    files = sorted({m for c in css for m in re.findall(r'url\(\./files/([^)]+)\)', c)})
    (libs/'fonts'/'files').mkdir(parents=True, exist_ok=True)
    for f in files: shutil.copyfile(font/'files'/f, libs/'fonts'/'files'/f)
    (libs/'fonts'/'source-sans-pro.css').write_text('\n'.join(css))
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
    head = m.group(3)
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

def finish_pages(pages):
    "Every page: local KaTeX instead of the CDN, the site's icon, `Going deeper` folded; pages with saved widgets: their state and the embed manager."
    shutil.copyfile(ASSETS/'favicon.svg', DOCS/'favicon.svg')
    states = {p['page']: p['widget_state'] for p in pages}
    for f in sorted(DOCS.rglob('*.html')):
        rel = f.relative_to(DOCS).as_posix()
        html = f.read_text()
        offset = '../' * rel.count('/')
        html = fold_going_deeper(KATEX_CDN.sub(f'{offset}site_libs/katex', html))
        if '<link rel="icon"' not in html:
            html = html.replace('<title>', f'<link rel="icon" href="{offset}favicon.svg" type="image/svg+xml">\n<title>', 1)
        if states.get(rel):
            state = json.dumps(states[rel], sort_keys=True).replace('</', '<\\/')
            # require.js and the embed manager load deferred, after KaTeX's deferred script (which would
            # otherwise register itself as an anonymous AMD module); `require` is configured before either
            tags = (f'<script type="{WIDGET_STATE}">{state}</script>\n'
                    f'<script>window.__jupyter_widgets_assets_path__ = "{offset}site_libs/widgets/";\n'
                    f'var require = {{paths: {{anywidget: "{offset}site_libs/anywidget/index"}}}};</script>\n'
                    f'<script defer src="{offset}site_libs/require.js"></script>\n'
                    f'<script defer src="{offset}site_libs/widgets/embed-amd.js"></script>\n')
            html = html.replace('</body>', tags + '</body>', 1)
        f.write_text(html)

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
    finish_pages(pages)
    downloads = add_downloads(pages)
    unlinked = unlink_missing_anchors()
    stamp = source_date()
    bad = off_host_references()
    if bad: sys.exit('build_site: the site would load from other hosts:\n  ' + '\n  '.join(bad))
    report = {'pages': [{k: v for k, v in p.items() if k != 'widget_state'} | {'widgets': bool(p['widget_state'])} for p in pages],
              'problems': problems, 'downloads': downloads, 'smalldocs_warnings': warnings, 'unlinked': unlinked}
    (DOCS/REPORT).write_text(json.dumps(report, indent=1) + '\n')
    for f in DOCS.rglob('*'): os.utime(f, (stamp, stamp))
    t3 = time.perf_counter()
    for p in problems: say('PROBLEM', p)
    for w in warnings: say('smalldocs:', w)
    for u in unlinked: say('unlinked', u)
    say(f"{len(pages)} notebook page(s) in {DOCS.relative_to(ROOT)}/ in {t3 - t0:.1f} s "
        f"(npm {t1 - t0:.1f} s, nbdev processing {t2 - t1:.1f} s, render {t3 - t2:.1f} s)")

if __name__ == '__main__':
    os.chdir(ROOT)
    if sys.argv[1:2] == ['--process']:
        print(json.dumps(process_notebook(*sys.argv[2:4])))
    else: build()
