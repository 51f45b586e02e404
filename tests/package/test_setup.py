"""The README's quick start is the whole set-up: `make test` finds or gets the browser its checks need
(tools/find_browser.py). The decisions are tested with the machine's situation injected: nothing is installed or
uninstalled here, and no browser is started."""
import itertools, os, re, subprocess, sys
from pathlib import Path
import pytest
from conftest import ROOT, chromium_path
import find_browser as fb
from find_browser import Situation, plan, get, find, INSTRUCTION

def _exe(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('#!/bin/sh\n'); path.chmod(0o755)
    return path

@pytest.mark.parametrize('root,apt,internet,playwright', list(itertools.product([True, False], repeat=4)))
def test_plan(root, apt, internet, playwright):
    "Root with apt-get: Debian's chromium first; with the internet and playwright: playwright's build; always the instruction last."
    ways = plan(Situation(root=root, apt=apt, internet=internet, playwright=playwright))
    expect = (['apt'] if root and apt else []) + (['playwright'] if internet and playwright else []) + ['instruct']
    assert ways == expect

def test_plan_cases_by_name():
    assert plan(Situation(root=True, apt=True, internet=False, playwright=True)) == ['apt', 'instruct'] # this machine: registries only
    assert plan(Situation(root=False, apt=True, internet=True, playwright=True)) == ['playwright', 'instruct'] # a user's laptop
    assert plan(Situation(root=False, apt=True, internet=False, playwright=True)) == ['instruct'] # neither is possible

class Recorder:
    """Stands in for running the set-up commands: records them (as 'apt-get update', 'apt-get install',
    'playwright install'), fails those containing a word of `fail`, and lets `locate` find a browser once a command
    containing `gives` succeeded."""
    def __init__(self, fail=(), gives=None):
        self.cmds, self.fail, self.gives, self.done = [], fail, gives, False
    def run(self, cmd):
        line = ' '.join(map(str, cmd))
        self.cmds.append(' '.join(cmd[:2]) if cmd[0] == 'apt-get' else 'playwright install' if 'playwright' in line else line)
        ok = not any(f in line for f in self.fail)
        if ok and self.gives and self.gives in line: self.done = True
        return ok
    def locate(self):
        return Path('/fake/chromium') if self.done else None

def test_get_as_root_runs_apt_update_then_install():
    r = Recorder(gives='install -y')
    path, msg = get(Situation(root=True, apt=True, internet=True, playwright=True), run=r.run, locate=r.locate)
    assert (path, msg) == (Path('/fake/chromium'), None)
    assert r.cmds == ['apt-get update', 'apt-get install']

def test_get_falls_back_to_playwright_when_apt_fails():
    r = Recorder(fail=('--no-install-recommends',), gives='playwright')
    path, msg = get(Situation(root=True, apt=True, internet=True, playwright=True), run=r.run, locate=r.locate)
    assert path == Path('/fake/chromium') and r.cmds == ['apt-get update', 'apt-get install', 'playwright install']

def test_get_as_user_with_internet_uses_playwright():
    r = Recorder(gives='playwright')
    path, _ = get(Situation(root=False, apt=True, internet=True, playwright=True), run=r.run, locate=r.locate)
    assert path == Path('/fake/chromium') and r.cmds == ['playwright install']

def test_get_without_a_way_gives_one_instruction_and_runs_nothing():
    r = Recorder()
    path, msg = get(Situation(root=False, apt=True, internet=False, playwright=True), run=r.run, locate=r.locate)
    assert path is None and r.cmds == [] and msg == INSTRUCTION
    assert '\n' not in msg and 'apt-get install chromium' in msg and 'playwright install chromium' in msg and 'GD_CHROMIUM' in msg

def test_get_gives_the_instruction_when_every_way_fails():
    r = Recorder(fail=('apt-get', 'playwright'))
    path, msg = get(Situation(root=True, apt=True, internet=True, playwright=True), run=r.run, locate=r.locate)
    assert path is None and msg == INSTRUCTION and r.cmds == ['apt-get update', 'playwright install']

def test_find_order(tmp_path):
    "GD_CHROMIUM first, then Debian's, then PATH, then playwright's newest build."
    debian, on_path = _exe(tmp_path/'usr'/'chromium'), _exe(tmp_path/'bin'/'chromium')
    pw = tmp_path/'ms-playwright'
    old, new = _exe(pw/'chromium-1200'/'chrome-linux'/'chrome'), _exe(pw/'chromium-1255'/'chrome-linux64'/'chrome')
    own = _exe(tmp_path/'own'/'chrome')
    env = {'GD_CHROMIUM': str(own), 'PATH': str(tmp_path/'bin'), 'PLAYWRIGHT_BROWSERS_PATH': str(pw)}
    nothing = str(tmp_path/'none')
    assert find(env, debian=str(debian)) == own
    del env['GD_CHROMIUM']
    assert find(env, debian=str(debian)) == debian
    assert find(env, debian=nothing) == on_path
    env['PATH'] = nothing
    assert find(env, debian=nothing) == new and fb.playwright_browsers(env) == [new, old]
    assert find({'PATH': nothing}, home=tmp_path/'home', debian=nothing) is None
    _exe(tmp_path/'home'/'.cache'/'ms-playwright'/'chromium-1300'/'chrome-linux64'/'chrome')
    assert find({'PATH': nothing}, home=tmp_path/'home', debian=nothing).parts[-3] == 'chromium-1300'

def test_conftest_finds_playwrights_browser(tmp_path, monkeypatch):
    "The browser checks' `chromium_path()` uses the same search, so a playwright build is found without GD_CHROMIUM."
    chrome = _exe(tmp_path/'chromium-1255'/'chrome-linux64'/'chrome')
    monkeypatch.delenv('GD_CHROMIUM', raising=False)
    monkeypatch.setenv('PATH', str(tmp_path/'none'))
    monkeypatch.setenv('PLAYWRIGHT_BROWSERS_PATH', str(tmp_path))
    monkeypatch.setattr(fb, 'DEBIAN', str(tmp_path/'none'))
    assert chromium_path() == chrome

def test_cli(tmp_path, monkeypatch, capsys):
    "Prints the path and exits 0, or prints the one-line instruction on stderr and exits 1 (without --get it installs nothing)."
    own = _exe(tmp_path/'chrome')
    r = subprocess.run([sys.executable, ROOT/'tools'/'find_browser.py'], capture_output=True, text=True,
                       env={'GD_CHROMIUM': str(own), 'PATH': '/usr/bin:/bin', 'HOME': str(tmp_path)})
    assert (r.returncode, r.stdout.strip()) == (0, str(own))
    monkeypatch.delenv('GD_CHROMIUM', raising=False) # no browser anywhere (in-process, so Debian's path can be moved away)
    for k, v in {'PATH': tmp_path/'none', 'HOME': tmp_path, 'PLAYWRIGHT_BROWSERS_PATH': tmp_path/'none'}.items(): monkeypatch.setenv(k, str(v))
    monkeypatch.setattr(fb, 'DEBIAN', str(tmp_path/'none'))
    assert fb.main([]) == 1
    out = capsys.readouterr()
    assert out.out == '' and out.err.strip() == INSTRUCTION

def _dry_run(target):
    "The commands `make -n target` would run (nothing runs)."
    r = subprocess.run(['make', '-n', '-C', ROOT, target], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout.splitlines()

def test_make_test_gets_the_browser_before_the_checks():
    lines = _dry_run('test')
    browser = [i for i, l in enumerate(lines) if 'tools/find_browser.py --get' in l]
    pytest_ = [i for i, l in enumerate(lines) if '-m pytest tests' in l]
    assert browser and pytest_ and browser[0] < pytest_[0]
    assert not any('find_browser' in l for l in _dry_run('test-fast'))

def test_readme_quick_start_is_the_whole_set_up():
    "The quick start's commands are make targets, and the one that needs a browser gets it itself."
    readme = (ROOT/'README.md').read_text()
    quick = readme.split('## Quick start', 1)[1].split('\n## ', 1)[0]
    commands = [l.split('#')[0].split() for b in re.findall(r"```sh\n(.*?)```", quick, re.S) for l in b.splitlines() if l.strip()]
    assert commands and all(c[0] == 'make' for c in commands), commands
    assert ['make', 'test'] in commands and ['make', 'docs'] in commands
    assert 'Python 3.11' in quick and '`make`' in quick and '`git`' in quick
    makefile = (ROOT/'Makefile').read_text()
    for _, target in commands: assert re.search(rf'^{target}:', makefile, re.M), target
