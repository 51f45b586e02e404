// Typeset maths at build time (tools/build_site.py): reads a JSON list of [tex, display] from stdin and writes
// the JSON list of KaTeX's HTML for them, with the options smalldocs' page script gives KaTeX's auto-render
// (errors are shown in the page, as a red katex-error span, instead of stopping the build).
const katex = require('katex');
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', d => { input += d; });
process.stdin.on('end', () => {
  const out = JSON.parse(input).map(([tex, display]) => katex.renderToString(tex, {displayMode: !!display, throwOnError: false}));
  process.stdout.write(JSON.stringify(out));
});
