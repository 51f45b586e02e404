// The course site's widget renderer (served as site_libs/gd-widgets.js on pages with page explorers).
//
// A page explorer is an anywidget model saved in the notebook's widget state. This script reads that state
// from the page (<script type="application/vnd.jupyter.widget-state+json">) and, for each placeholder
// <div class="gd-widget" data-model-id="...">, imports the model's ES module and calls its `render({model, el})`,
// as anywidget's front end does, with a model that holds the saved traits: `get`, `set`, `on`, `off`,
// `save_changes` (a page has no kernel: changes stay in the page) and `send` (ignored).
// The build moves the two big traits out of the state into files beside the page, so the browser can cache them
// and the state stays small: `_gd_esm` is the URL of the module (the trait `_esm`), `_gd_files` maps a trait to the
// URL of a file whose bytes, base64-encoded, are that trait's value (the explorer's `backdrop` picture).
// The placeholder holds a reserve of the explorer's size until the explorer replaces it, so nothing moves.
(function () {
  'use strict';
  const STATE = 'application/vnd.jupyter.widget-state+json';

  function base64(buf) {
    const bytes = new Uint8Array(buf), chunk = 0x8000; let s = '';
    for (let i = 0; i < bytes.length; i += chunk) s += String.fromCharCode.apply(null, bytes.subarray(i, i + chunk));
    return btoa(s);
  }

  function makeModel(attrs) {
    const handlers = new Map();
    const emit = (name, ...args) => (handlers.get(name) || []).slice().forEach(f => { try { f(...args); } catch (e) { console.error(e); } });
    return {
      get: k => attrs[k],
      set(k, v) { const old = attrs[k]; attrs[k] = v; if (old !== v) { emit(`change:${k}`, v, old); emit('change'); } },
      on(name, f) { name.split(/\s+/).forEach(n => { if (!handlers.has(n)) handlers.set(n, []); handlers.get(n).push(f); }); },
      off(name, f) {
        if (!name) { handlers.clear(); return; }
        name.split(/\s+/).forEach(n => { if (!f) handlers.delete(n); else handlers.set(n, (handlers.get(n) || []).filter(g => g !== f)); });
      },
      save_changes() {},  // no kernel to tell
      send() {},
      widget_manager: {},
    };
  }

  const modules = new Map(), styles = new Set();
  function loadModule(url) {
    if (!modules.has(url)) modules.set(url, import(url));
    return modules.get(url);
  }
  function addStyle(css, key) {
    if (!css || styles.has(key) || document.querySelector(`style[data-gd-css="${key}"]`)) return;
    styles.add(key);
    const s = document.createElement('style'); s.dataset.gdCss = key; s.textContent = css; document.head.appendChild(s);
  }

  async function mount(el, models) {
    const m = models[el.dataset.modelId];
    if (!m) throw new Error(`no saved state for widget ${el.dataset.modelId}`);
    const attrs = Object.assign({}, m.state);
    const files = attrs._gd_files || {};
    const [mod] = await Promise.all([
      loadModule(new URL(attrs._gd_esm, document.baseURI).href),
      ...Object.entries(files).map(async ([k, url]) => {
        const r = await fetch(url);
        if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
        attrs[k] = base64(await r.arrayBuffer());
      }),
    ]);
    delete attrs._gd_files; delete attrs._gd_esm;
    addStyle(attrs._css, el.dataset.cssKey || attrs._css);
    let widget = mod.default;
    if (typeof widget === 'function') widget = await widget();
    const model = makeModel(attrs);
    if (widget.initialize) await widget.initialize({model});
    // render into a detached box first, then swap it in for the reserve in one step: the page sees one change
    const box = document.createElement('div'); box.className = 'gd-widget-live';
    const reserve = el.querySelector('.gd-widget-reserve');
    if (reserve) { reserve.replaceWith(box); } else el.appendChild(box);
    await widget.render({model, el: box});
    el.classList.add('gd-widget-ready');
    // the tests and the benchmarks read the run from the element the widget was given
    el.gdModel = model;
  }

  function start() {
    const tag = document.querySelector(`script[type="${STATE}"]`);
    if (!tag) return;
    const models = JSON.parse(tag.textContent).state || {};
    const els = Array.from(document.querySelectorAll('.gd-widget[data-model-id]'));
    window.gdWidgets = Promise.all(els.map(el => mount(el, models).catch(e => {
      el.classList.add('gd-widget-failed'); console.error('gd-widgets:', e);
    })));
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
})();
