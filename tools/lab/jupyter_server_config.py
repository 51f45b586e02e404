"""JupyterLab as the course runs it (`make lab`): explorers kept with the notebook, notebooks saved as the repository keeps them.

- Widget state is saved with the notebook (tools/lab/overrides.json turns on jupyterlab-manager's `saveState`), so a
  notebook run, saved and reopened shows its explorers drawn and live.
- JupyterLab saves the state of the widgets live in the kernel only: a notebook saved without running would lose the
  saved state of its explorers. The pre-save hook keeps, from the file on disk, every widget model an output still
  shows that the kernel does not have; state that no output shows is dropped.
- The notebook is then cleaned as `nbdev_clean` cleans the committed ones (settings.ini decides: the kernel's display
  name as its name, no `language_info`, no execution counts, only the allowed metadata).
So opening, trusting and saving a lesson leaves it byte for byte as committed; a notebook that was trusted when saved
(run in the kernel, or trusted by hand) is signed as written, so it reopens trusted, its explorers live."""
import json, re
from pathlib import Path

STATE, VIEW = 'application/vnd.jupyter.widget-state+json', 'application/vnd.jupyter.widget-view+json'

def _shown(nb):
    "The widget models the notebook's outputs show."
    return [o['data'][VIEW]['model_id'] for c in nb.get('cells', []) for o in c.get('outputs', []) or [] if VIEW in (o.get('data') or {})]

def keep_saved_widgets(nb, old):
    "`nb`'s widget state with the models its outputs show taken from `old` (the notebook on disk) where `nb` lacks them, and the models they refer to."
    new = ((nb.get('metadata') or {}).get('widgets') or {}).get(STATE) or {}
    have, before = dict(new.get('state') or {}), (((old or {}).get('metadata') or {}).get('widgets') or {}).get(STATE) or {}
    old_models, keep, todo = before.get('state') or {}, set(), list(_shown(nb))
    while todo:  # what the outputs show and what that refers to; from the file on disk where the kernel has it not
        m = todo.pop()
        if m in keep: continue
        if m not in have and m in old_models: have[m] = old_models[m]
        if m not in have: continue
        keep.add(m); todo += re.findall(r'IPY_MODEL_([0-9a-f]{32})', json.dumps(have[m]))
    have = {k: v for k, v in have.items() if k in keep}
    meta = nb.setdefault('metadata', {})
    if have: meta['widgets'] = {STATE: {**{k: v for k, v in (new or before).items() if k != 'state'}, 'state': have}}
    else: meta.pop('widgets', None)
    return nb

def clean_on_save(model, path=None, contents_manager=None, **kwargs):
    "ContentsManager pre-save hook: keep the saved explorers, then write the notebook as nbdev_clean writes it."
    if model.get('type') != 'notebook' or (model.get('content') or {}).get('nbformat') != 4: return
    from nbdev.clean import clean_nb
    from nbdev.config import get_config
    old = None
    if contents_manager is not None and path:
        disk = Path(contents_manager._get_os_path(path))
        if disk.exists():
            try: old = json.loads(disk.read_text())
            except ValueError: old = None
    import nbformat
    notary = getattr(contents_manager, 'notary', None)
    trusted = notary is not None and notary.check_cells(nbformat.from_dict(model['content']))  # what Lab marks trusted
    keep_saved_widgets(model['content'], old)
    cfg = get_config(path=Path(__file__).resolve().parent)
    clean_nb(model['content'], cfg.clear_all, cfg.get('allowed_metadata_keys').split(), cfg.get('allowed_cell_metadata_keys').split(), cfg.clean_ids)
    # Cleaning drops the cells' `trusted` marks, so the server would not sign what it writes and the notebook would reopen
    # untrusted, its explorers shown as still pictures. Sign the cleaned notebook here: the signature lives in Jupyter's
    # trust database, not in the file.
    if trusted: notary.sign(nbformat.from_dict(model['content']))

c = get_config()  # noqa: F821  (Jupyter's config loader provides it)
c.FileContentsManager.pre_save_hook = clean_on_save
c.LabApp.app_settings_dir = str(Path(__file__).resolve().parent)
