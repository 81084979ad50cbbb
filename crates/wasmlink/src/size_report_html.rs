//! `--size-report=FILE.html`: one self-contained page (no network: the
//! data, the styles and the script are inline) with a zoomable treemap of
//! the [`SizeReport`]: archive → object → section → item. Clicking a box
//! with children zooms into it (the path above it zooms back out); clicking
//! an item shows its size and its `--why-live` chain; the search box lists
//! and highlights the items whose names match.
//!
//! The data is the report's JSON ([`size_report::to_json`]) in a
//! `<script type="application/json" id="report-data">` element. Every box
//! drawn is a `div.tm-node` with `data-name`, `data-size` (bytes) and
//! `data-depth` (1 for the children of the zoomed node): the page test
//! reads them back from the rendered DOM. `#item=NAME` in the URL selects
//! an item (as a click would), `#search=TEXT` searches.

use crate::size_report::{self, SizeReport};

/// The page's styles.
const STYLE: &str = r#"
body { font: 13px system-ui, sans-serif; margin: 0; color: #222; }
header { padding: 8px 12px; background: #2d3e50; color: #fff; display: flex; gap: 16px; align-items: center; }
header h1 { font-size: 15px; margin: 0; }
#search { padding: 3px 6px; width: 260px; }
#crumbs { padding: 6px 12px; background: #eef; }
#crumbs a { color: #124; cursor: pointer; text-decoration: underline; margin-right: 4px; }
main { display: flex; }
#treemap { position: relative; width: 75vw; height: calc(100vh - 90px); min-height: 400px; overflow: hidden; }
#side { width: 25vw; padding: 8px 12px; overflow: auto; height: calc(100vh - 90px); border-left: 1px solid #ccc; }
.tm-node { position: absolute; box-sizing: border-box; border: 1px solid #fff; overflow: hidden; cursor: pointer; }
.tm-node > .tm-label { font-size: 11px; padding: 1px 3px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; color: #111; }
.tm-node.hit { outline: 3px solid #e33; z-index: 2; }
.tm-node[data-depth="2"] { border-color: rgba(255,255,255,.6); }
.why li { margin-bottom: 4px; font-family: monospace; font-size: 12px; }
#matches li { cursor: pointer; }
"#;

/// The page's script: tree building, squarified treemap layout, zoom,
/// search and the `--why-live` panel.
const SCRIPT: &str = r#"
const data = JSON.parse(document.getElementById('report-data').textContent);
const fmt = n => n.toLocaleString('en-US');
function node(name, level) { return { name, level, size: 0, children: new Map(), entries: [] }; }
const root = node(data.output || 'module', 0);
for (const e of data.entries) {
  const owner = e.archive ? e.archive + '(' + e.object + ')' : e.object;
  const arch = e.archive || (e.object.startsWith('<') ? e.object : '(objects on the command line)');
  const path = [arch, owner, e.section, e.item];
  let n = root; n.size += e.size;
  path.forEach((p, i) => {
    if (!n.children.has(p)) { const c = node(p, i + 1); c.parent = n; if (i === 1) c.label = e.object; n.children.set(p, c); }
    n = n.children.get(p); n.size += e.size;
  });
  n.entries.push(e);
}
const palette = ['#8dd3c7','#ffffb3','#bebada','#fb8072','#80b1d3','#fdb462','#b3de69','#fccde5','#d9d9d9','#bc80bd','#ccebc5','#ffed6f'];
function colour(n) { let top = n; while (top.parent && top.parent !== root) top = top.parent; let h = 0; for (const c of top.name) h = (h * 31 + c.charCodeAt(0)) >>> 0; return palette[h % palette.length]; }
function squarify(items, x, y, w, h) {
  const out = []; const total = items.reduce((s, i) => s + i.size, 0);
  if (total <= 0 || w <= 0 || h <= 0) { items.forEach(i => out.push({ item: i, x, y, w: 0, h: 0 })); return out; }
  const scale = (w * h) / total; let rest = items.slice(); let rx = x, ry = y, rw = w, rh = h;
  while (rest.length) {
    const short = Math.min(rw, rh); let row = []; let best = Infinity;
    while (rest.length) {
      const cand = row.concat([rest[0]]); const s = cand.reduce((a, i) => a + i.size * scale, 0);
      const mx = Math.max(...cand.map(i => i.size * scale)), mn = Math.min(...cand.map(i => i.size * scale));
      const worst = Math.max((short * short * mx) / (s * s), (s * s) / (short * short * Math.max(mn, 1e-9)));
      if (row.length && worst > best) break; row = cand; best = worst; rest.shift();
    }
    const s = row.reduce((a, i) => a + i.size * scale, 0); const thick = s / short; let off = 0;
    for (const i of row) { const len = (i.size * scale) / thick;
      if (rw >= rh) out.push({ item: i, x: rx, y: ry + off, w: thick, h: len }); else out.push({ item: i, x: rx + off, y: ry, w: len, h: thick });
      off += len; }
    if (rw >= rh) { rx += thick; rw -= thick; } else { ry += thick; rh -= thick; }
  }
  return out;
}
let current = root;
const map = document.getElementById('treemap');
function sorted(n) { return [...n.children.values()].sort((a, b) => b.size - a.size || (a.name < b.name ? -1 : 1)); }
function draw() {
  map.innerHTML = '';
  const W = map.clientWidth, H = map.clientHeight;
  for (const r of squarify(sorted(current), 0, 0, W, H)) {
    const d = box(r, 1); map.appendChild(d);
    if (r.item.children.size && r.w > 30 && r.h > 30) {
      for (const c of squarify(sorted(r.item), 2, 16, r.w - 4, r.h - 18)) {
        if (c.w * c.h >= 4) d.appendChild(box(c, 2));
      }
    }
  }
  const crumbs = document.getElementById('crumbs'); crumbs.innerHTML = '';
  const path = []; for (let n = current; n; n = n.parent) path.unshift(n);
  for (const n of path) { const a = document.createElement('a'); a.textContent = n.name + ' (' + fmt(n.size) + ')'; a.onclick = () => { current = n; draw(); }; crumbs.appendChild(a); crumbs.append(' › '); }
  highlight();
}
function box(r, depth) {
  const d = document.createElement('div'); d.className = 'tm-node';
  d.style.left = r.x + 'px'; d.style.top = r.y + 'px'; d.style.width = r.w + 'px'; d.style.height = r.h + 'px';
  d.style.background = colour(r.item);
  d.dataset.name = r.item.name; d.dataset.size = r.item.size; d.dataset.depth = depth;
  d.title = r.item.name + ': ' + fmt(r.item.size) + ' bytes';
  const l = document.createElement('div'); l.className = 'tm-label'; l.textContent = (r.item.label || r.item.name) + ' ' + fmt(r.item.size); d.appendChild(l);
  d.onclick = ev => { ev.stopPropagation(); select(r.item); };
  r.item.el = d; return d;
}
function select(n) {
  if (n.children.size) { current = n; draw(); }
  show(n);
}
function chain(step) { const lines = []; const seen = new Set(); while (step !== null && step !== undefined && !seen.has(step)) { seen.add(step); const s = data.steps[step]; if (!s) break; lines.unshift(s.line); step = s.up; } return lines; }
function show(n) {
  const side = document.getElementById('detail'); side.innerHTML = '';
  const h = document.createElement('h3'); h.textContent = n.name; side.appendChild(h);
  const p = document.createElement('p'); p.textContent = fmt(n.size) + ' bytes (' + (100 * n.size / root.size).toFixed(2) + '% of ' + fmt(root.size) + ')'; side.appendChild(p);
  for (const e of n.entries) {
    const why = document.createElement('ul'); why.className = 'why';
    const lines = e.why === null ? [e.object.startsWith('<') ? 'written by the linker' : 'not a function or data segment: no --why-live chain'] : chain(e.why);
    for (const line of lines) { const li = document.createElement('li'); li.textContent = line; why.appendChild(li); }
    side.appendChild(why);
  }
}
let query = '';
function highlight() {
  const list = document.getElementById('matches'); list.innerHTML = '';
  const hits = [];
  (function walk(n) { if (!n.children.size) { if (query && n.name.toLowerCase().includes(query)) hits.push(n); return; } for (const c of n.children.values()) walk(c); })(root);
  document.querySelectorAll('.tm-node.hit').forEach(e => e.classList.remove('hit'));
  for (const n of hits) { for (let a = n; a; a = a.parent) if (a.el && a.el.isConnected) a.el.classList.add('hit'); }
  hits.sort((a, b) => b.size - a.size);
  for (const n of hits.slice(0, 200)) { const li = document.createElement('li'); li.textContent = fmt(n.size) + '  ' + n.name + ' — ' + n.parent.parent.name; li.onclick = () => { current = n.parent; draw(); show(n); }; list.appendChild(li); }
  document.getElementById('match-count').textContent = query ? hits.length + ' matching items' : '';
}
document.getElementById('search').addEventListener('input', ev => { query = ev.target.value.toLowerCase(); highlight(); });
document.getElementById('total').textContent = fmt(data.total);
document.getElementById('total').dataset.bytes = data.total;
window.addEventListener('resize', draw);
draw();
show(root);
// Deep links: #item=NAME selects the largest item of that name (zoomed to
// its section, chain shown); #search=TEXT fills the search box.
const params = new URLSearchParams(location.hash.slice(1));
if (params.has('search')) { const s = document.getElementById('search'); s.value = params.get('search'); query = s.value.toLowerCase(); highlight(); }
if (params.has('item')) {
  const want = params.get('item'); let found = null;
  (function walk(n) { if (!n.children.size) { if (n.name === want && (!found || n.size > found.size)) found = n; return; } for (const c of n.children.values()) walk(c); })(root);
  if (found) { current = found.parent.parent || found.parent; draw(); show(found); }
}
"#;

/// The page.
pub fn render(report: &SizeReport) -> String {
    let json = size_report::to_json(report);
    let title = html_escape(&report.output);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>size report: {title}</title>\n\
         <style>{STYLE}</style>\n</head>\n<body>\n<header><h1>wasmlink size report: {title}</h1>\
         <span><span id=\"total\"></span> bytes</span>\
         <input id=\"search\" type=\"search\" placeholder=\"search functions, data, objects\"></header>\n\
         <nav id=\"crumbs\"></nav>\n<main><div id=\"treemap\"></div>\
         <aside id=\"side\"><div id=\"detail\"></div><p id=\"match-count\"></p><ul id=\"matches\"></ul></aside></main>\n\
         <script type=\"application/json\" id=\"report-data\">{json}</script>\n<script>{SCRIPT}</script>\n</body>\n</html>\n"
    )
}

/// Text safe inside HTML.
fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
