"""The course's shape as a reader meets it: lessons import only earlier lessons and the library
appendix; no lesson documents library names; `gd_notebooks.all` is the course's API, not its plumbing."""
import ast, json, re
from pathlib import Path
import pytest
from conftest import ROOT

PKG, NBS = ROOT/'gd_notebooks', ROOT/'nbs'

def _module_of(nb):
    "The module a notebook exports to (its `#| default_exp`)."
    for c in json.loads(nb.read_text())['cells']:
        m = re.search(r'^#\|\s*default_exp\s+(\S+)', ''.join(c['source']), re.M)
        if m: return m.group(1)

LESSONS = {nb.stem: _module_of(nb) for nb in sorted(NBS.glob('0[0-9]*_*.ipynb'))}
APPENDIX = {nb.stem: _module_of(nb) for nb in sorted(NBS.glob('9[0-9]*_*.ipynb'))}

def _imports(module, runtime=False):
    """The package modules a module imports: at its top level, or anywhere (`runtime=True`: inside functions too, and
    `importlib.import_module('gd_notebooks.x')`). An import whose module name is computed cannot be checked: it is
    reported as '<dynamic>'."""
    tree = ast.parse((PKG/f'{module}.py').read_text())
    out = set()
    for node in (ast.walk(tree) if runtime else tree.body):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            out |= {node.module} if node.module else {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or '') == 'gd_notebooks': out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or '').startswith('gd_notebooks.'): out.add(node.module.split('.')[1])
        elif isinstance(node, ast.Import): out |= {a.name.split('.')[1] for a in node.names if a.name.startswith('gd_notebooks.')}
        elif isinstance(node, ast.Call) and getattr(node.func, 'attr', getattr(node.func, 'id', None)) in ('import_module', '__import__') and node.args:
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                if arg.value.startswith('gd_notebooks.'): out.add(arg.value.split('.')[1])
            else: out.add('<dynamic>')
    return out - {'__init__'}

MODULES = sorted(p.stem for p in PKG.glob('*.py') if p.stem not in ('__init__', '_modidx'))

def _graph():
    "module -> the package modules it imports, anywhere in its code."
    return {m: _imports(m, runtime=True) & set(MODULES) for m in MODULES}

def _cycles(graph):
    "Every import cycle of `graph` (module -> modules), each as the list of modules around it."
    found, state = [], {}
    def visit(m, path):
        state[m] = 'open'
        for n in sorted(graph.get(m, ())):
            if state.get(n) == 'open': found.append(path[path.index(n):] + [n])
            elif n not in state: visit(n, path + [n])
        state[m] = 'done'
    for m in sorted(graph):
        if m not in state: visit(m, [m])
    return found

def test_there_are_lessons_and_an_appendix():
    assert {'data', 'neuron', 'momentum'} <= set(LESSONS.values())
    assert {'checks', 'sheets', 'plotting', 'pageexplorer'} <= set(APPENDIX.values())

@pytest.mark.parametrize('nb', sorted(LESSONS))
def test_lessons_import_only_earlier_lessons(nb):
    order = list(LESSONS)
    later = {LESSONS[n] for n in order[order.index(nb) + 1:]}
    bad = _imports(LESSONS[nb], runtime=True) & later
    assert not bad, f"{nb} ({LESSONS[nb]}) imports the later lesson module(s) {sorted(bad)}"

@pytest.mark.parametrize('nb', sorted(APPENDIX))
def test_appendix_imports_no_lesson(nb):
    "The library sits below the lessons: no appendix module imports a lesson module, at import time or inside a function."
    found = _imports(APPENDIX[nb], runtime=True)
    assert '<dynamic>' not in found, f"the library module {APPENDIX[nb]} imports a module whose name it computes: the check cannot see which"
    bad = found & (set(LESSONS.values()) | {'all'})
    assert not bad, f"the library module {APPENDIX[nb]} imports lesson module(s) {sorted(bad)}"

def test_no_import_cycle():
    "No chain of imports, runtime imports included, leads from a module back to itself."
    cycles = _cycles(_graph())
    assert not cycles, "import cycles: " + '; '.join(' -> '.join(c) for c in cycles)

def test_no_module_computes_what_it_imports():
    dynamic = [m for m in MODULES if '<dynamic>' in _imports(m, runtime=True)]
    assert not dynamic, f"modules that import a module by a computed name (the import graph cannot be checked): {dynamic}"

def test_the_import_check_can_fail(tmp_path, monkeypatch):
    "The import check sees a lesson importing a later one, at the top or inside a function, and the cycle checker sees a cycle."
    (tmp_path/'a.py').write_text('from .b import f\nimport numpy\ndef g():\n    from .c import h\n    from gd_notebooks import d\n'
                                 '    import importlib; importlib.import_module("gd_notebooks.e"); importlib.import_module(f"gd_notebooks.{g}")\n')
    monkeypatch.setattr(__import__(__name__), 'PKG', tmp_path)
    assert _imports('a') == {'b'}
    assert _imports('a', runtime=True) == {'b', 'c', 'd', 'e', '<dynamic>'}
    assert _cycles({'a': {'b'}, 'b': {'c'}, 'c': {'a'}, 'd': {'a'}}) == [['a', 'b', 'c', 'a']]
    assert _cycles({'a': {'b'}, 'b': set()}) == []

def _appendix_names():
    import importlib
    return {n for m in APPENDIX.values() for n in getattr(importlib.import_module(f'gd_notebooks.{m}'), '__all__', [])}

@pytest.mark.parametrize('nb', sorted(LESSONS))
def test_lessons_do_not_document_library_names(nb):
    names = _appendix_names()
    cells = json.loads((NBS/f'{nb}.ipynb').read_text())['cells']
    shown = {m.group(1).split('.')[0] for c in cells if c['cell_type'] == 'code'
             for m in re.finditer(r'show_doc\(\s*([\w.]+)', ''.join(c['source']))}
    assert not shown & names, f"{nb} documents library names {sorted(shown & names)}: they belong in the appendix"

def test_all_is_the_api_not_the_plumbing():
    import gd_notebooks.all as api
    design = ['graddesc_data', 'Linear', 'TwoLinear', 'ReLUSandwich', 'numeric_grad', 'collapse', 'dead_fraction', 'SGD',
              'Momentum', 'fit', 'Trace', 'Sheet', 'critical_lr', 'epoch_radius', 'lr_find', 'ewma']
    assert not [n for n in design if n not in api.__all__]
    plumbing = _appendix_names() | {'SHEETS', 'register_sheet', 'check_positive'}
    assert not sorted(plumbing & set(api.__all__))

def test_package_attributes():
    import gd_notebooks as gd
    from gd_notebooks.all import fit
    assert gd.fit is fit and 'fit' in dir(gd)
    with pytest.raises(AttributeError): gd.no_such_name

def _main_text_words(cells):
    """Words of markdown outside `## Going deeper` (the reader's main line): every whitespace-separated token,
    numbers and formulas included, outside HTML tags, heading marks and code fences."""
    words, deep, fence = 0, False, False
    for c in cells:
        if c['cell_type'] != 'markdown': continue
        for line in ''.join(c['source']).splitlines():
            m = re.match(r'^##\s+(.*)', line)
            if m: deep = m.group(1).strip().lower().startswith('going deeper')
            if line.lstrip().startswith('```'): fence = not fence; continue
            if not deep and not fence: words += len(re.sub(r'^#+\s*', '', re.sub(r'<[^>]+>', '', line)).split())
    return words

BUDGET = 2050  # "about 2,000 words" of main text

@pytest.mark.parametrize('nb', sorted(LESSONS))
def test_lesson_reads_as_a_lesson(nb):
    "Budget, question-first opening with a figure, verdicts, Summary and Exercises at the end."
    cells = json.loads((NBS/f'{nb}.ipynb').read_text())['cells']
    words = _main_text_words(cells)
    assert words <= BUDGET, f"{nb}: {words} words of main text (budget about 2,000; move secondary analyses under '## Going deeper')"
    heads = [l.strip() for c in cells if c['cell_type'] == 'markdown' for l in ''.join(c['source']).splitlines() if l.startswith('## ')]
    assert heads[-2:] == ['## Summary', '## Exercises'], f"{nb}: must end with ## Summary then ## Exercises, got {heads[-2:]}"
    if '## Going deeper' in heads: assert heads.index('## Going deeper') == len(heads) - 3, f"{nb}: Going deeper goes right before the Summary"
    verdicts = [m for c in cells if c['cell_type'] == 'markdown' for m in re.findall(r'<a id="verdict-[\w-]+"></a>\s*\*\*[^*]+\?[^*]*\*\*', ''.join(c['source']))]
    assert verdicts, f"{nb}: no bold verdict of the form <a id=\"verdict-...\"></a>**Question? Answer.**"
    first = next(i for i, c in enumerate(cells) if c['cell_type'] == 'markdown' and re.search(r'^##\s', ''.join(c['source']), re.M))
    opening = cells[:first]
    assert any('image/png' in o.get('data', {}) for c in opening if c['cell_type'] == 'code' for o in c.get('outputs', [])), \
        f"{nb}: the first screen (before the first ## section) shows no figure"
    assert any(re.search(r'^\s*[-*]\s.*\?', ''.join(c['source']), re.M) for c in opening if c['cell_type'] == 'markdown'), \
        f"{nb}: the first screen lists no questions (a bullet list of the learners' questions)"

def test_budget_counter_counts():
    cells = [{'cell_type': 'markdown', 'source': ['## A\n', 'one <a id="v"></a>two 3.5\n', '```\n', 'code here\n', '```\n',
                                                  '## Going deeper\n', 'three four five\n', '## Summary\n', 'six']}]
    assert _main_text_words(cells) == 1 + 3 + 1 + 1  # 'A', 'one two 3.5', 'Summary', 'six'

def _last_def(module):
    "The name of the last function or class defined at the top level of a package module."
    tree = ast.parse((PKG/f'{module}.py').read_text())
    return [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))][-1]

@pytest.mark.parametrize('nb', [nb for nb in LESSONS if nb[:2] != '07'])
def test_lesson_module_ends_with_its_explorer(nb):
    "A lesson module reads as its lesson: the model, the run and the figures first, the page explorer last."
    last = _last_def(LESSONS[nb])
    assert last.endswith('_page_explorer'), f"{LESSONS[nb]}.py ends with {last}, not its page explorer"

def test_explorer_order_check_can_fail(tmp_path, monkeypatch):
    (tmp_path/'m.py').write_text("def x_page_explorer(): pass\ndef plot_more(): pass\n")
    monkeypatch.setattr(__import__(__name__), 'PKG', tmp_path)
    assert _last_def('m') == 'plot_more'
