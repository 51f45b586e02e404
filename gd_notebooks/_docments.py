"""`help()` for a pip user. The course documents parameters nbdev-style, as a comment after each one (`lr, # the
learning rate`): the docs site shows them, `help()` did not. `document(namespace, names)` reads those comments from the
installed source and appends numpy-style sections to each public function's and class's docstring: "Parameters" (a
dataclass's "Attributes") and "Returns"; optimizers and models get their interface methods (`init`/`step`,
`predict`/`grad`), and `Sheet` the sheet names. Standard library only (the wheel has no nbdev or fastcore), and cheap
at import: only the `def` lines are tokenized and parsed, never whole modules. Hand-written, not exported by nbdev."""
import ast, dataclasses, inspect, linecache, re, tokenize

_END = re.compile(r'\)\s*(->[^#]*)?:') # a line that may close a def header

def _comments(chunk):
    "Comments of the source lines `chunk` by line number (1: the first); tokenize knows that '#' in a string is none."
    out = {}
    if '#' not in ''.join(chunk): return out
    try:
        for tok in tokenize.generate_tokens(iter(chunk).__next__):
            if tok.type == tokenize.COMMENT: out[tok.start[0]] = tok.string[1:].strip()
    except (tokenize.TokenError, IndentationError, StopIteration): pass
    return out

def _header(lines, start):
    """The `def` header beginning at line `start` (1-based; decorators skipped) as (ast node, its source text, comments
    by line number), line numbers counted from the header's first line. Only the header's lines are parsed and tokenized,
    never the whole module."""
    while start <= len(lines) and not lines[start - 1].lstrip().startswith(('def ', 'async def ')): start += 1
    indent = len(lines[start - 1]) - len(lines[start - 1].lstrip()) if start <= len(lines) else 0
    for end in range(start, min(start + 60, len(lines) + 1)):
        if not _END.search(lines[end - 1]): continue
        chunk = lines[start - 1:end]
        text = ''.join(l[indent:] if l[:indent].isspace() else l.lstrip() for l in chunk)
        for t in (text.rstrip() + '\n pass\n', text):
            try: node = ast.parse(t).body[0]
            except (SyntaxError, IndexError): continue
            return node, t, _comments(chunk)
    return None

def _attach(comments, locs):
    """nbdev's docments rule: a comment on a parameter's line documents the parameter(s) of that line; comment lines
    just above a parameter line (and not themselves parameter lines) document it too."""
    docs = {}
    for line in locs:
        if line in comments: docs[line] = comments[line]; continue
        above, l = [], line - 1
        while l in comments and l not in locs: above.append(comments[l]); l -= 1
        if above: docs[line] = ' '.join(reversed(above))
    return docs

def _lines(obj):
    path = getattr(getattr(obj, '__code__', None), 'co_filename', None) or getattr(inspect.getmodule(obj), '__file__', None)
    return linecache.getlines(path) if path else []

def _params(fn):
    """([(names sharing a line, 'type, default' text, comment or None)], (return annotation, return comment)) for a
    function, or None when its source cannot be read."""
    fn = inspect.unwrap(fn)
    code = getattr(fn, '__code__', None)
    got = code and _header(_lines(fn), code.co_firstlineno)
    if not got: return None
    node, text, comments = got
    a = node.args
    pos = a.posonlyargs + a.args
    defaults = dict(zip([p.arg for p in pos][len(pos) - len(a.defaults):], a.defaults))
    defaults.update({p.arg: d for p, d in zip(a.kwonlyargs, a.kw_defaults) if d is not None})
    args = ([(p, '') for p in pos] + [(a.vararg, '*')] * bool(a.vararg) + [(p, '') for p in a.kwonlyargs]
            + [(a.kwarg, '**')] * bool(a.kwarg))
    args = [(p, star) for p, star in args if p.arg not in ('self', 'cls')]
    locs = {p.lineno for p, _ in args}
    ret_line = node.returns.lineno if node.returns is not None else None
    docs = _attach(comments, locs | {ret_line} - {None})
    ret_doc = docs.pop(ret_line, None) if ret_line else None # nbdev: the return type's line documents the return
    def kind(p):
        k = [ast.unparse(p.annotation)] if p.annotation is not None else []
        if p.arg in defaults: k.append(f"default {ast.get_source_segment(text, defaults[p.arg]) or ast.unparse(defaults[p.arg])}")
        return ', '.join(k)
    rows, seen = [], set()
    for p, star in args: # parameters sharing a line and its comment are one numpy-style group: `x, y : the rows`
        if p.lineno in seen: continue
        group = [(q, s) for q, s in args if q.lineno == p.lineno]
        if p.lineno not in docs or len(group) == 1: rows.append((star + p.arg, kind(p), docs.get(p.lineno))); continue
        seen.add(p.lineno)
        rows.append((', '.join(s + q.arg for q, s in group), '', docs[p.lineno]))
    return rows, (ast.unparse(node.returns) if node.returns is not None else None, ret_doc)

def _fields(cls):
    "[(field, type, comment)] of a dataclass, from the comments on its field lines (the class body up to its first def)."
    lines = _lines(cls)
    pat = re.compile(rf'^\s*class\s+{re.escape(cls.__name__)}\b')
    start = next((i for i, l in enumerate(lines) if pat.match(l)), None)
    if start is None: return None
    block = [lines[start]]
    for l in lines[start + 1:]:
        if l.strip() and (not l[:1].isspace() or l.lstrip().startswith(('def ', '@', 'class '))): break
        block.append(l)
    comments = _comments(block)
    try: body = ast.parse(''.join(block).strip() + '\n').body[0].body
    except (SyntaxError, IndexError): return None
    anns = [s for s in body if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)]
    docs = _attach(comments, {s.lineno for s in anns})
    return [(s.target.id, ast.unparse(s.annotation), docs.get(s.lineno)) for s in anns]

def parameter_docs(obj):
    """(rows, (return type, return comment)) for a function or class: its parameters (a dataclass's attributes) with
    their comments; None for anything else."""
    if inspect.isclass(obj):
        if dataclasses.is_dataclass(obj): return _fields(obj) or [], (None, None)
        init = obj.__dict__.get('__init__') or getattr(obj, '__init__', None)
        got = _params(init) if inspect.isfunction(init) else None
        return (got[0] if got else []), (None, None)
    return _params(obj) if inspect.isfunction(obj) else None

def _section(title, rows):
    out = [title, '-' * len(title)]
    for name, kind, doc in rows: out += [f"{name} : {kind}" if kind else name, f"    {doc or '(undocumented)'}"]
    return '\n'.join(out)

def _returns_from_docstring(doc):
    "'...; returns a `Trace`.' -> 'a `Trace`': the docstring's own words about what comes back, or None."
    m = re.search(r'\b[Rr]eturns?:?\s+(.+?)\.?\s*$', (doc or '').split('\n\n')[0].strip())
    return m.group(1) if m else None

def _returns(doc, rtype, rdoc):
    "numpy style: the type (or, with no annotation, the docstring's words), then the return comment."
    said = rdoc or _returns_from_docstring(doc)
    if not (rtype or said): return None
    return '\n'.join(['Returns', '-------', rtype or said] + ([f"    {said}"] if rtype and said else []))

# The interfaces of design.md: (signature, description) for methods that have no docstring of their own.
PROTOCOL = {
    'init': ('init(params) -> state', "the optimizer's state for these parameters (a dict of arrays; running averages start at 0)"),
    'step': ('step(params, grads, state) -> (params, state)', "one update of every parameter from its gradient; returns new dicts"),
    'predict': ('predict(params, x) -> y_pred', "the model's prediction for each row of x (numpy broadcasting between params and x)"),
    'grad': ('grad(params, x, y) -> {name: array}', "the analytic gradient of (predict - y)² for each row"),
}
INTERFACES = (('init', 'step'), ('predict', 'grad')) # an optimizer's, a model's

def _methods(cls):
    "An optimizer's (init, step) or a model's (predict, grad) methods, given the interface's text where they have none."
    ms = [m for i in INTERFACES if all(inspect.isfunction(getattr(cls, m, None)) for m in i) for m in i]
    if not ms: return None
    out = ['Methods', '-------']
    for m in ms:
        f = getattr(cls, m)
        if not f.__doc__: f.__doc__ = PROTOCOL[m][1]
        out += [PROTOCOL[m][0], f"    {f.__doc__.strip()}"]
    return '\n'.join(out)

def _sheets():
    from .sheets import available
    return '\n'.join(['Sheets', '------', ', '.join(repr(n) for n in sorted(available())),
                      "    the names `Sheet(name)` accepts in this installation"])

EXTRA = {'Sheet': _sheets} # name -> a function giving one more section

def help_text(obj, name, doc=None):
    "The sections appended to the docstring of `obj` (public name `name`)."
    got = parameter_docs(obj)
    if got is None: return ''
    rows, (rtype, rdoc) = got
    title = 'Attributes' if inspect.isclass(obj) and dataclasses.is_dataclass(obj) else 'Parameters'
    parts = [_section(title, rows) if rows else None,
             _returns(obj.__doc__ if doc is None else doc, rtype, rdoc) if inspect.isfunction(obj) else _methods(obj)]
    if name in EXTRA: parts.append(EXTRA[name]())
    return '\n\n'.join(p for p in parts if p)

_ORIGINAL = {} # object -> its docstring before `document` added to it

def document(namespace, names):
    "Append the generated sections to the docstrings of `names` in `namespace` (again on a later call: no duplicates)."
    for name in names:
        obj = namespace.get(name)
        if not (inspect.isfunction(obj) or inspect.isclass(obj)): continue
        doc = _ORIGINAL.setdefault(obj, obj.__doc__ or '')
        try: extra = help_text(obj, name, doc)
        except Exception: extra = '' # documentation never breaks an import
        try: obj.__doc__ = f"{doc}\n\n{extra}" if extra else doc
        except (AttributeError, TypeError): pass
