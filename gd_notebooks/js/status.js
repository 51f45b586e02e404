// What an explorer prints: its numbers and the status line that says what a run did. The package has the
// same rules in Python (gd_notebooks.pageexplorer: `num_text`, `fmt_number`, `run_status`), so a notebook's
// still picture and `ex.status` say what the page says; tests/oracle/test_js_port.py checks the two agree.
// Joined with train.js and view.js into the widget's one ES module; Node imports this file alone.

// A run "blew up" when its last epoch's error is more than BLOWUP times its first epoch's.
export const BLOWUP = 10;

// A finite number in its shortest form that reads back to the same double: "0.0001" is written "1e-4",
// 1234567 is "1.234567e6"; plain decimals from 0.001 up to a million. Anything not finite is "overflow".
export function numText(v) {
  if (!Number.isFinite(v)) return 'overflow';
  if (v === 0) return '0';
  const [mant, exp] = v.toExponential().split('e'), e = +exp;  // toExponential(): the shortest digits that round-trip
  if (e < -3 || e >= 6) return `${mant}e${e}`;
  const neg = mant[0] === '-', digits = mant.replace('-', '').replace('.', '');
  let s;
  if (e >= 0) s = digits.length > e + 1 ? `${digits.slice(0, e + 1)}.${digits.slice(e + 1)}` : digits + '0'.repeat(e + 1 - digits.length);
  else s = `0.${'0'.repeat(-e - 1)}${digits}`;
  return (neg ? '-' : '') + s;
}

// A number with a format: '.Nf' (N decimals), '.Ne' (N decimals in exponent form), '.Ng' (N significant
// digits, then as `numText`), or none (`numText`). Halves round away from zero, on the double's exact value.
export function fmt(v, f) {
  if (typeof v !== 'number') return String(v);
  if (!Number.isFinite(v)) return 'overflow';
  const m = /^\.(\d+)([efg])$/.exec(f || '');
  if (!m) return numText(v);
  const d = +m[1];
  if (m[2] === 'f' && Math.abs(v) < 1e15) { const s = v.toFixed(d); return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s; } // never '-0.000'
  if (m[2] === 'e' || m[2] === 'f') return v.toExponential(m[2] === 'e' ? d : 3).replace('e+', 'e');
  return numText(Number(v.toPrecision(Math.max(d, 1))));
}

// The status of one run, from what it recorded and what was drawn of it:
//   epoch_errors  each epoch's error (the workbook's error cell: √ of the epoch's summed squared errors)
//   first_bad     the first step whose error or update was not finite, -1 when none
//   rows          rows per epoch
//   dead          for a ReLU model, the rows on which its unit is inactive at the end (a·x + b <= 0), else null
//   off           whether a line or point drawn of the run leaves its panel (a model's line: over the rows' x)
// The rules, in order: not finite -> "diverged in epoch e, row r"; last error > BLOWUP x first ->
// "blew up: error x1 → x2"; lower -> "trained: error x1 → x2"; otherwise "error rose: x1 → x2" (or
// "unchanged"); one epoch -> "one epoch: error x1". Then, for a run that did not diverge, "off the chart" and
// "unit dead on n of N rows at the end of the run" when they hold. Returns {kind, text}: kind is 'diverged', 'blew up', 'trained',
// 'rose', 'unchanged' or 'one epoch'.
export function runStatus({epoch_errors, first_bad = -1, rows, dead = null, off = false}) {
  const e = Array.from(epoch_errors), n = rows;
  if (first_bad >= 0) return {kind: 'diverged', text: `diverged in epoch ${Math.floor(first_bad / n) + 1}, row ${(first_bad % n) + 1}`};
  const x1 = e[0], x2 = e[e.length - 1], err = `error ${fmt(x1, '.4g')} → ${fmt(x2, '.4g')}`;
  let kind, text;
  if (e.length < 2) { kind = 'one epoch'; text = `one epoch: error ${fmt(x1, '.4g')}`; }
  else if (x2 > BLOWUP * x1) { kind = 'blew up'; text = `blew up: ${err}`; }
  else if (x2 < x1) { kind = 'trained'; text = `trained: ${err}`; }
  else if (x2 > x1) { kind = 'rose'; text = `error rose: ${fmt(x1, '.4g')} → ${fmt(x2, '.4g')}`; }
  else { kind = 'unchanged'; text = `error unchanged: ${fmt(x1, '.4g')}`; }
  const notes = [];
  if (off) notes.push('off the chart');
  if (dead !== null && dead !== undefined && dead > 0) notes.push(`unit dead on ${dead} of ${n} rows at the end of the run`);
  return {kind, text: [text, ...notes].join('; ')};
}
