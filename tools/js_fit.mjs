// Runs the package's JS port (gd_notebooks/js/train.js) on cases read as JSON from stdin and prints
// the runs as JSON: the check that the browser's numbers are the package's (tests/oracle/test_js_port.py).
import {fit} from '../gd_notebooks/js/train.js';
import fs from 'fs';
const enc = v => Number.isFinite(v) ? v : String(v);  // JSON has no inf/nan
const cases = JSON.parse(fs.readFileSync(0, 'utf8'));
const out = cases.map(c => {
  const r = fit(c);
  const hist = {}; for (const k in r.history) hist[k] = Array.from(r.history[k], enc);
  return {history: hist, sq_errs: Array.from(r.sq_errs, enc), epoch_errors: Array.from(r.epoch_errors, enc),
          diverged: r.diverged, first_bad: r.first_bad};
});
process.stdout.write(JSON.stringify(out));
