"""`help()` shows what the docs site shows: every public function's parameters with their nbdev docments (`arg, #
comment`) and what it returns, `Sheet` the sheet names, optimizers their `init`/`step` (gd_notebooks/helptext.py, from nbs/95_help.ipynb,
applied to the names of gd_notebooks.all).

What is strict: the mechanism (on a module written here), `fit` (every parameter with its comment), and the API that
design.md promises (DESIGN below: every parameter documented, and a Returns section for each function): those fail
the test. The other public names (plot helpers, explorers, analysis helpers) are reported, as a warning listing each
undocumented parameter, not failed: their docments come with each lesson's own pass over its page, and the site shows
the same gaps, so the report says where to look without blocking everything else."""
import importlib.util, inspect, pydoc, subprocess, sys, textwrap, time, warnings
import pytest
import gd_notebooks.all as api
from gd_notebooks.helptext import document, parameter_docs, _returns_from_docstring, _ORIGINAL

DESIGN = ['graddesc_data', 'Linear', 'TwoLinear', 'ReLUSandwich', 'numeric_grad', 'collapse', 'dead_fraction', 'SGD',
          'Momentum', 'fit', 'Trace', 'Sheet', 'critical_lr', 'epoch_radius', 'lr_find', 'ewma',
          'RMSProp', 'Adam', 'to_workbook'] # the last three once they exist

def text(obj): return pydoc.render_doc(obj, renderer=pydoc.plaintext)

def section(doc, title):
    "The lines of a numpy-style section of a rendered docstring (help() may indent them and prefix ' |  ')."
    lines = [l[4:] if l.startswith((' |  ', '    ')) else l for l in doc.splitlines()]
    if title not in lines: return []
    i = lines.index(title) + 2
    out = []
    while i < len(lines) and lines[i].strip(): out.append(lines[i]); i += 1
    return out

def undocumented(obj):
    "Parameter groups of `obj` without a docment, and whether a function says what it returns."
    got = parameter_docs(obj)
    if got is None: return [], True
    rows, (rtype, rdoc) = got
    says_return = inspect.isclass(obj) or bool(rtype or rdoc or _returns_from_docstring(_ORIGINAL.get(obj, obj.__doc__)))
    return [names for names, _, doc in rows if not doc], says_return

@pytest.fixture()
def module(tmp_path):
    "A module written nbdev-style, imported from a file (as an installed wheel's modules are)."
    (tmp_path/'demo_docments.py').write_text(textwrap.dedent('''
        from dataclasses import dataclass
        def train(model, # the model to train
                  x, y, # the rows
                  # the learning rate, a float
                  # or an array of them
                  lr:float=1e-4,
                  label='#not a comment', # shown in the legend
                  *rest, **kw, # passed on to `plot`
                 )->dict: # the final parameters
            "Train once."
            return {}
        def bare(a, b=2): return a
        def says(a): # what a is
            "The thing made from `a`; returns a list."
        @dataclass
        class Rec:
            "What was recorded."
            steps: int # how many steps
            log: list # one entry per step
            def show(self): pass
        class Opt:
            "An optimizer."
            def __init__(self, lr): # its learning rate
                self.lr = lr
            def init(self, params): return {}
            def step(self, params, grads, state):
                "Move against the gradient."
                return params, state
        '''))
    spec = importlib.util.spec_from_file_location('demo_docments', tmp_path/'demo_docments.py')
    mod = importlib.util.module_from_spec(spec); sys.modules['demo_docments'] = mod
    spec.loader.exec_module(mod)
    yield mod
    del sys.modules['demo_docments']

def test_the_mechanism(module):
    names = ['train', 'bare', 'says', 'Rec', 'Opt']
    document(vars(module), names)
    document(vars(module), names) # a second call refreshes, it does not append twice
    t = text(module.train)
    assert t.count('Parameters') == 1 and 'Train once.' in t
    assert section(t, 'Parameters') == ['model', '    the model to train', 'x, y', '    the rows',
                                        'lr : float, default 1e-4', '    the learning rate, a float or an array of them',
                                        "label : default '#not a comment'", '    shown in the legend', '*rest, **kw', '    passed on to `plot`']
    assert section(t, 'Returns') == ['dict', '    the final parameters']
    assert section(text(module.bare), 'Parameters') == ['a', '    (undocumented)', 'b : default 2', '    (undocumented)'] # no comment: one by one
    assert section(text(module.says), 'Returns') == ['a list'] and section(text(module.says), 'Parameters') == ['a', '    what a is']
    assert section(text(module.Rec), 'Attributes') == ['steps : int', '    how many steps', 'log : list', '    one entry per step']
    t = text(module.Opt)
    assert section(t, 'Parameters') == ['lr', '    its learning rate']
    assert section(t, 'Methods') == ['init(params) -> state', "    the optimizer's state for these parameters (a dict of arrays; running averages start at 0)",
                                     'step(params, grads, state) -> (params, state)', '    Move against the gradient.']
    assert module.Opt.init.__doc__ # help(Opt.init) says something too

def test_help_of_fit_lists_every_parameter_with_its_comment():
    params = [p for p in inspect.signature(api.fit).parameters]
    sec = section(text(api.fit), 'Parameters')
    listed = {n.strip('*'): sec[i + 1].strip() for i in range(0, len(sec), 2) for n in sec[i].split(' : ')[0].split(', ')}
    assert list(listed) == params
    missing = [n for n in params if listed[n] == '(undocumented)']
    assert not missing, f"fit's parameters without a docment (add `{missing[0]}, # what it is` in lesson 1): {missing}"
    assert section(text(api.fit), 'Returns'), "help(fit) does not say what fit returns"

def test_design_api_is_documented():
    "Every parameter of the API design.md promises has a docment, and each function says what it returns."
    bad = {}
    for name in [n for n in DESIGN if n in api.__all__]:
        missing, says_return = undocumented(getattr(api, name))
        if missing or not says_return: bad[name] = missing + ([] if says_return else ['(what it returns)'])
    assert not bad, ("undocumented in help() (add nbdev docments `arg, # comment`, and `)->T: # what comes back` on its own "
                     f"line or '...; returns X.' in the docstring): {bad}")

def test_report_other_public_names():
    "The rest of the public API: reported, not failed (see the module docstring)."
    bad = {}
    for name in [n for n in api.__all__ if n not in DESIGN]:
        missing, says_return = undocumented(getattr(api, name))
        if missing or not says_return: bad[name] = missing + ([] if says_return else ['(what it returns)'])
    if bad: warnings.warn(f"{len(bad)} public names lack docments in help(): {bad}")

def test_sheet_lists_the_sheet_names():
    from gd_notebooks.sheets import available
    sec = section(text(api.Sheet), 'Sheets')
    assert sec and all(repr(n) in sec[0] for n in available()) and 'basic' in sec[0]

@pytest.mark.parametrize('name', [n for n in ('SGD', 'Momentum', 'RMSProp', 'Adam') if n in api.__all__])
def test_optimizers_document_init_and_step(name):
    sec = section(text(getattr(api, name)), 'Methods')
    assert sec[0] == 'init(params) -> state' and sec[2] == 'step(params, grads, state) -> (params, state)'
    assert sec[1].strip() and sec[3].strip()

def test_models_document_predict_and_grad():
    for name in ('Linear', 'TwoLinear', 'ReLUSandwich'):
        sec = section(text(getattr(api, name)), 'Methods')
        assert sec[0].startswith('predict(params, x)') and sec[2].startswith('grad(params, x, y)'), name

def _imports_the_api(code):
    "Whether a cell's code imports gd_notebooks.all or the package itself (which imports it); a name in a string is no import."
    import ast
    try: tree = ast.parse('\n'.join(l for l in code.splitlines() if not l.lstrip().startswith(('%', '!'))))
    except SyntaxError: return False
    for n in ast.walk(tree):
        if isinstance(n, ast.Import) and any(a.name in ('gd_notebooks', 'gd_notebooks.all') for a in n.names): return True
        if isinstance(n, ast.ImportFrom) and n.module in ('gd_notebooks', 'gd_notebooks.all') and not n.level: return True
    return False

def test_api_import_check_can_fail():
    assert _imports_the_api('from gd_notebooks.all import *') and _imports_the_api('import gd_notebooks as gd')
    assert _imports_the_api('from gd_notebooks import fit') and _imports_the_api('def f():\n    import gd_notebooks.all')
    assert not _imports_the_api('run("from gd_notebooks.all import *")') and not _imports_the_api('from gd_notebooks.neuron import fit')

def test_pages_that_show_docs_do_not_import_the_api_module():
    """The site renders docments itself (show_doc); a page that also imported gd_notebooks.all would show the
    parameters twice, once as the table and once in the docstring that `document` extended."""
    import json, re
    from conftest import ROOT
    bad = []
    for nb in sorted((ROOT/'nbs').glob('*.ipynb')):
        code = [''.join(c['source']) for c in json.loads(nb.read_text())['cells'] if c['cell_type'] == 'code']
        if any('show_doc(' in c for c in code) and any(_imports_the_api(c) for c in code):
            bad.append(nb.name)
    assert not bad, f"{bad} call show_doc and import gd_notebooks.all: import the lesson modules instead"
