"""Find, or get, the Chromium the browser checks drive (`make test` calls this before pytest).

`python tools/find_browser.py` prints the path of a Chromium that is already here and exits 0, else prints a
one-line instruction and exits 1. `--get` first tries to get one, in this order:
1. as root, where apt-get exists: Debian's `chromium` (`apt-get update`, then `apt-get install chromium`);
2. where playwright's download host answers: playwright's own build (`python -m playwright install chromium`,
   into ~/.cache/ms-playwright, no root needed);
3. otherwise (or when both fail): the one-line instruction, exit 1.
Where the checks look (tests/conftest.py's `chromium_path` asks `find()`): $GD_CHROMIUM, Debian's /usr/bin/chromium,
`chromium` or `chromium-browser` on PATH, then the newest playwright build ($PLAYWRIGHT_BROWSERS_PATH or
~/.cache/ms-playwright). Standard library only: it also runs before the venv exists (.ci/run)."""
import os, re, shutil, socket, subprocess, sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

INSTRUCTION = ("No Chromium for the browser checks: install Debian's `chromium` (sudo apt-get install chromium), or run "
               "`.venv/bin/python -m playwright install chromium` where the internet is reachable, or set GD_CHROMIUM to "
               "a Chromium binary; `make test-fast` runs every check that needs no browser.")
DEBIAN = '/usr/bin/chromium' # Debian's package
PLAYWRIGHT_HOST = 'cdn.playwright.dev' # where `playwright install` downloads from (read from its --dry-run when it can say)

def _revision(p):
    m = re.search(r'chromium-(\d+)', str(p))
    return int(m.group(1)) if m else -1

def playwright_browsers(env=os.environ, home=None):
    "Chromium builds installed by playwright, newest first."
    root = Path(env.get('PLAYWRIGHT_BROWSERS_PATH') or Path(home or Path.home())/'.cache'/'ms-playwright')
    found = [p for p in root.glob('chromium-*/chrome-linux*/chrome') if p.is_file()]
    return sorted(found, key=_revision, reverse=True)

def find(env=os.environ, home=None, debian=None):
    "The Chromium to use, or None: $GD_CHROMIUM, Debian's, chromium(-browser) on PATH, playwright's newest."
    path = env.get('PATH', os.defpath)
    for c in (env.get('GD_CHROMIUM'), debian or DEBIAN, shutil.which('chromium', path=path), shutil.which('chromium-browser', path=path)):
        if c and Path(c).is_file(): return Path(c)
    builds = playwright_browsers(env, home)
    return builds[0] if builds else None

@dataclass
class Situation:
    "What decides how to get a browser (injected in the tests; `situation()` measures it here)."
    root: bool # running as root (apt-get may install)
    apt: bool # apt-get exists
    internet: bool # playwright's download host answers
    playwright: bool # the playwright package is importable by this Python

def plan(s: Situation):
    "The ways to try, in order: 'apt', 'playwright', and always last 'instruct'."
    return ['apt'] * (s.root and s.apt) + ['playwright'] * (s.internet and s.playwright) + ['instruct']

def reachable(host, port=443, timeout=3.):
    "True when a TCP connection to host:port opens within `timeout` seconds."
    try:
        with socket.create_connection((host, port), timeout=timeout): return True
    except OSError: return False

def playwright_host(python=sys.executable):
    "The host `playwright install chromium` downloads from, as its --dry-run says (PLAYWRIGHT_HOST if it cannot say)."
    try: out = subprocess.run([python, '-m', 'playwright', 'install', '--dry-run', 'chromium'], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError): return PLAYWRIGHT_HOST
    m = re.search(r'Download url:\s*(\S+)', out)
    return urlparse(m.group(1)).hostname if m else PLAYWRIGHT_HOST

def situation():
    "The Situation of this machine and this Python."
    import importlib.util
    has_pw = importlib.util.find_spec('playwright') is not None
    return Situation(root=os.geteuid() == 0, apt=shutil.which('apt-get') is not None,
                     internet=has_pw and reachable(playwright_host()), playwright=has_pw)

COMMANDS = {
    'apt': [['apt-get', 'update', '-qq'], ['apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'chromium']],
    'playwright': [[sys.executable, '-m', 'playwright', 'install', 'chromium']],
}

def _run(cmd):
    "Run one set-up command, its output on stderr (stdout carries only the path); True when it succeeded."
    print('find_browser:', ' '.join(map(str, cmd)), file=sys.stderr, flush=True)
    env = {**os.environ, 'DEBIAN_FRONTEND': 'noninteractive'}
    return subprocess.run(cmd, stdout=sys.stderr, stderr=sys.stderr, env=env).returncode == 0

def get(s: Situation, run=_run, locate=find):
    "Try the plan's ways in order until a browser is found; `(path, None)` or `(None, instruction)`."
    for way in plan(s):
        if way == 'instruct': break
        if all(run(cmd) for cmd in COMMANDS[way]) and (path := locate()) is not None: return path, None
    return None, INSTRUCTION

def main(argv):
    path = find()
    if path is None and '--get' in argv: path, _ = get(situation())
    if path is None:
        print(INSTRUCTION, file=sys.stderr); return 1
    print(path); return 0

if __name__ == '__main__': sys.exit(main(sys.argv[1:]))
