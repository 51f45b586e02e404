from configparser import ConfigParser
import atexit, setuptools, shlex, shutil, tempfile

# note: all settings are in settings.ini; edit there, not here
config = ConfigParser(delimiters=['='])
config.read('settings.ini', encoding='utf-8')
cfg = config['DEFAULT']

cfg_keys = 'version description keywords author author_email'.split()
expected = cfg_keys + "lib_name user branch license status min_python audience language".split()
for o in expected: assert o in cfg, "missing expected setting: {}".format(o)
setup_cfg = {o: cfg[o] for o in cfg_keys}

licenses = {'apache2': 'Apache-2.0'} # settings.ini's name -> SPDX expression
# settings.ini's `status` is the number of the Development Status classifier: 3 -> '3 - Alpha'
statuses = ['1 - Planning', '2 - Pre-Alpha', '3 - Alpha', '4 - Beta', '5 - Production/Stable',
            '6 - Mature', '7 - Inactive']
py_versions = '3.10 3.11 3.12 3.13'.split()

requirements = shlex.split(cfg.get('requirements', ''))
dev_requirements = shlex.split(cfg.get('dev_requirements', ''))
min_python = cfg['min_python']
lic = licenses[cfg['license'].lower()]
status = int(cfg['status'])
assert 1 <= status <= len(statuses), f"status must be 1-{len(statuses)}, got {status}"

# setuptools' scratch space goes to a fresh temporary directory, not the source tree: no build/ or *.egg-info is
# left behind, and no stale build/lib can put deleted modules into a later wheel.
scratch = tempfile.mkdtemp(prefix='gd_notebooks-build-')
atexit.register(shutil.rmtree, scratch, ignore_errors=True)

setuptools.setup(
    options={'build': {'build_base': scratch}, 'egg_info': {'egg_base': scratch}},
    name=cfg['lib_name'],
    license_expression=lic,
    classifiers=['Development Status :: ' + statuses[status - 1],
                 'Intended Audience :: ' + cfg['audience'].title(),
                 'Natural Language :: ' + cfg['language'].title()] +
                ['Programming Language :: Python :: ' + o for o in py_versions[py_versions.index(min_python):]],
    url=cfg['git_url'],
    packages=setuptools.find_packages(include=[cfg['lib_name'], cfg['lib_name'] + '.*']),
    include_package_data=True,
    install_requires=requirements,
    extras_require={'dev': dev_requirements},
    python_requires='>=' + cfg['min_python'],
    long_description=open('README.md', encoding='utf-8').read(),
    long_description_content_type='text/markdown',
    zip_safe=False,
    entry_points={'nbdev': [f"{cfg.get('lib_path')}={cfg.get('lib_path')}._modidx:d"]},
    **setup_cfg)
