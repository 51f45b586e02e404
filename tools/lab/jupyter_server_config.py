"""JupyterLab as the course runs it (`make lab`): notebooks saved as the repository keeps them.

Saving a notebook cleans it the way `nbdev_clean` cleans the committed ones (settings.ini decides: the kernel's
display name as its name, no `language_info`, no execution counts, only the allowed metadata), so opening, trusting
and saving a lesson leaves it byte for byte as committed. The widgets' state is saved too (tools/lab/overrides.json:
jupyterlab-manager's `saveState`), so a notebook run, saved and reopened shows its explorers drawn and live."""
from pathlib import Path

def clean_on_save(model, path=None, **kwargs):
    "ContentsManager pre-save hook: a notebook is written as nbdev_clean writes it."
    if model.get('type') != 'notebook' or (model.get('content') or {}).get('nbformat') != 4: return
    from nbdev.clean import clean_nb
    from nbdev.config import get_config
    cfg = get_config(path=Path(__file__).resolve().parent)
    clean_nb(model['content'], cfg.clear_all, cfg.get('allowed_metadata_keys').split(), cfg.get('allowed_cell_metadata_keys').split(), cfg.clean_ids)

c = get_config()  # noqa: F821  (Jupyter's config loader provides it)
c.FileContentsManager.pre_save_hook = clean_on_save
c.LabApp.app_settings_dir = str(Path(__file__).resolve().parent)
