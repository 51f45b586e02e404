// The course site's small page script (served as site_libs/gd-site.js on every page).
// Boxes that scroll sideways (a wide table, a long equation, a wide output) are marked: `gd-scrolls` draws
// their scroll shadows (styles.css) and they become reachable by keyboard (tabindex=0, a region with a name),
// so a reader who cannot use a mouse or a trackpad can still scroll them with the arrow keys.
(function () {
  'use strict';
  const BOXES = 'main .sd-table, main .cell-output-display, main .math.display, main .katex-display, main .cell-output pre, main pre.sourceCode, main .table-responsive';
  function label(el) {
    if (el.matches('.katex-display, .math.display')) return 'equation, scrolls sideways';
    if (el.querySelector('table')) return 'table, scrolls sideways';
    if (el.matches('pre, pre *') || el.querySelector('pre')) return 'code, scrolls sideways';
    return 'output, scrolls sideways';
  }
  function mark() {
    document.querySelectorAll(BOXES).forEach(el => {
      const style = getComputedStyle(el);
      const scrolls = el.scrollWidth > el.clientWidth + 1 && /(auto|scroll)/.test(style.overflowX);
      el.classList.toggle('gd-scrolls', scrolls);
      if (scrolls && !el.hasAttribute('tabindex')) {
        el.setAttribute('tabindex', '0'); el.setAttribute('role', 'region'); el.setAttribute('aria-label', label(el));
        el.dataset.gdScrollMarked = '1';
      } else if (!scrolls && el.dataset.gdScrollMarked) {
        el.removeAttribute('tabindex'); el.removeAttribute('role'); el.removeAttribute('aria-label'); delete el.dataset.gdScrollMarked;
      }
    });
  }
  let pending = null;
  const later = () => { if (pending) cancelAnimationFrame(pending); pending = requestAnimationFrame(() => { pending = null; mark(); }); };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mark); else mark();
  addEventListener('load', later);
  addEventListener('resize', later);
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(later);
  document.addEventListener('toggle', later, true);  // a folded section or a check opened
})();
