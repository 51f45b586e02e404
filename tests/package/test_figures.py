"""Figures readable on the page: every picture a notebook saves is at most 644 CSS px wide at 1x (the site's text
column in a 1366-px window), so its 9-pt labels show at 9 pt or larger there; it is saved at 2x for sharp screens;
and no drawing code asks for text below the course's 9 pt."""
import base64, json, re, struct
from pathlib import Path
import pytest
from conftest import ROOT

NBS = ROOT/'nbs'
COLUMN_PX = 644
NOTEBOOKS = sorted(p.name for p in NBS.glob('[0-9]*.ipynb'))

def png_size(b64):
    "Width and height in pixels of a base64 PNG, read from its IHDR chunk."
    head = base64.b64decode(b64[:64])
    if head[:8] != b'\x89PNG\r\n\x1a\n': raise ValueError('not a PNG')
    return struct.unpack('>II', head[16:24])

def png_dpi(b64):
    "The PNG's dots per inch from its pHYs chunk (matplotlib writes it), or None."
    raw, i = base64.b64decode(b64), 8
    while i + 8 <= len(raw):
        n, kind = struct.unpack('>I4s', raw[i:i + 8])
        if kind == b'pHYs':
            ppu, _, unit = struct.unpack('>IIB', raw[i + 8:i + 17])
            return ppu * 0.0254 if unit == 1 else None
        if kind == b'IDAT': return None
        i += 12 + n
    return None

def pictures(nb):
    "(cell index, width in pixels, dots per inch or None) of every PNG output of a notebook."
    out = []
    for i, c in enumerate(json.loads((NBS/nb).read_text())['cells']):
        for o in c.get('outputs', []):
            data = o.get('data') or {}
            if 'image/png' not in data: continue
            b64 = ''.join(data['image/png']) if isinstance(data['image/png'], list) else data['image/png']
            w, _ = png_size(b64.strip())
            dpi = png_dpi(b64.strip())
            out.append((i, w, dpi))
    return out

@pytest.mark.parametrize('nb', NOTEBOOKS)
def test_figures_fit_the_column_at_their_own_size(nb):
    """A PNG of W pixels at D dpi is W/D inches, 96·W/D CSS px at its own size: shown in the 644-px column it is
    drawn at its own size or larger when that is at most 644, and its 9-pt labels read as 9 pt or more."""
    wide = [(i, round(96 * w / d)) for i, w, d in pictures(nb) if d and 96 * w / d > COLUMN_PX + 0.5]
    assert not wide, f"{nb}: figures wider than the 644-px column at their own size (cell, CSS px): {wide}: their text shrinks below 9 pt"

@pytest.mark.parametrize('nb', NOTEBOOKS)
def test_figures_are_saved_at_twice_their_size(nb):
    "Every PNG carries its density, at least 2x the screen's 96 dpi: sharp on high-density screens."
    low = [(i, d and round(d)) for i, w, d in pictures(nb) if not d or d < 2 * 96 - 1]
    assert not low, f"{nb}: PNGs without their dpi or below 192 dpi (cell, dpi): {low}"

SMALL = re.compile(r"""(?:fontsize|labelsize|titlesize)\s*=\s*(?:(\d+(?:\.\d+)?)\b|['"](xx-small|x-small|small|smaller)['"])""")

def small_text(src):
    "Text sizes below 9 pt asked for in drawing code (`fontsize=8`, `size='small'`)."
    return [m.group(0) for m in SMALL.finditer(src) if m.group(2) or float(m.group(1)) < 9]

def test_small_text_is_found():
    assert small_text("ax.text(0, 0, 's', fontsize=8); ax.legend(fontsize='small'); ax.tick_params(labelsize=7.5)") == \
        ['fontsize=8', "fontsize='small'", 'labelsize=7.5']
    assert small_text("rng.normal(size=3); ax.scatter(x, y, s=4)") == []
    assert small_text("ax.set_title('t', fontsize=9); rng.normal(size=2500)") == []

@pytest.mark.parametrize('nb', NOTEBOOKS)
def test_no_text_below_nine_points(nb):
    cells = json.loads((NBS/nb).read_text())['cells']
    found = [(i, s) for i, c in enumerate(cells) if c['cell_type'] == 'code' for s in small_text(''.join(c['source']))]
    assert not found, f"{nb}: text below 9 pt (cell, code): {found}"

def test_png_size_reads_a_png(tmp_path):
    import matplotlib; matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig = plt.figure(figsize=(2, 1), dpi=50); fig.savefig(tmp_path/'f.png'); plt.close(fig)
    b64 = base64.b64encode((tmp_path/'f.png').read_bytes()).decode()
    assert png_size(b64) == (100, 50) and round(png_dpi(b64)) == 50
