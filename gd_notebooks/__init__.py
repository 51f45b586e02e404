"The package of the gd_notebooks course: `import gd_notebooks as gd; gd.fit(...)`, or `from gd_notebooks.all import *`."
__version__ = "0.1.0"

def __getattr__(name):
    "The course's API (`gd_notebooks.all`) as attributes of the package, imported on first use."
    import importlib, importlib.util
    if name.startswith('_') or importlib.util.find_spec(f'{__name__}.{name}') is not None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    api = importlib.import_module(f'{__name__}.all')
    if name in api.__all__: return getattr(api, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

def __dir__():
    from .all import __all__ as api
    return sorted(set(globals()) | set(api))
