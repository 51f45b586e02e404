"""Write README.md from nbs/index.ipynb without Quarto: markdown cells as they are, code cells as
fenced Python, text outputs as fenced text; cells marked `#| echo: false` give only their Markdown
output (the home page's generated tables). Hidden cells and image outputs are left out (the site
shows the images). `--check` exits 1 when README.md is not what the notebook gives."""
import re, sys
from pathlib import Path
import nbformat

ROOT = Path(__file__).resolve().parent.parent

def _hidden(src):
    return any(l.strip().replace(' ', '') in ('#|hide', '#|hide_input', '#|export', '#|exporti')
               for l in src.splitlines() if l.startswith('#|'))

def _body(src):
    return '\n'.join(l for l in src.splitlines() if not l.startswith('#|')).strip()

def readme_text(nb_path=ROOT/'nbs'/'index.ipynb'):
    "The README's markdown for the notebook at `nb_path`."
    nb = nbformat.read(nb_path, as_version=4)
    parts = []
    for cell in nb.cells:
        if cell.cell_type == 'markdown':
            parts.append(cell.source.strip())
        elif cell.cell_type == 'code' and re.search(r'^#\|\s*echo:\s*false', cell.source, re.M):
            parts += [''.join(o['data']['text/markdown']).strip() for o in cell.get('outputs', []) if 'text/markdown' in o.get('data', {})]
        elif cell.cell_type == 'code' and not _hidden(cell.source):
            parts.append(f"```python\n{_body(cell.source)}\n```")
            for out in cell.get('outputs', []):
                text = out.get('text') or out.get('data', {}).get('text/plain')
                if text and 'image/png' not in out.get('data', {}) and not text.startswith('<'):
                    parts.append(f"```\n{''.join(text).rstrip()}\n```")
    text = '\n\n'.join(p for p in parts if p) + '\n'
    return re.sub(r'\]\((\w+\.ipynb(#[\w-]+)?)\)', r'](nbs/\1)', text)

def main(argv):
    text, path = readme_text(), ROOT/'README.md'
    if '--check' in argv:
        if not path.exists() or path.read_text() != text:
            sys.exit("README.md is stale: run `make readme` (it is generated from nbs/index.ipynb)")
        return
    path.write_text(text)

if __name__ == '__main__': main(sys.argv[1:])
