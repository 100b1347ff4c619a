/** The dashboard's stylesheet: plain CSS, no framework; responsive from phone to laptop width. */
export const DASHBOARD_CSS = `
:root {
  --bg: #f5f6f8; --panel: #fff; --text: #1c2430; --muted: #5b6676; --line: #dfe3ea;
  --brand: #1f3a5f; --accent: #2457c5; --accent-dark: #1b449e; --focus: #ffbf47;
  --high: #b42318; --high-bg: #fde8e7; --medium: #a15c07; --medium-bg: #fef0d9;
  --low: #2b5c9e; --low-bg: #e4eefb; --ok: #1f7a3f; --ok-bg: #e3f4e8; --danger: #b42318;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 15px; line-height: 1.5; color: var(--text); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; min-height: 100vh; display: flex; flex-direction: column; }
a { color: var(--accent); }
a:hover { color: var(--accent-dark); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: #fff; padding: 8px 12px; z-index: 10; }
.skip:focus { left: 8px; top: 8px; }
.topbar { background: var(--brand); color: #fff; }
.topbar-inner { max-width: 1200px; margin: 0 auto; padding: 0 16px; display: flex; align-items: center; gap: 16px; flex-wrap: wrap; min-height: 56px; }
.brand { color: #fff; font-weight: 700; font-size: 18px; text-decoration: none; letter-spacing: .2px; }
.brand:hover { color: #fff; }
.brand small { font-weight: 400; opacity: .75; font-size: 13px; margin-left: 6px; }
.mainnav { flex: 1; min-width: 0; }
.nav { display: flex; gap: 2px; flex-wrap: wrap; margin: 0; padding: 0; list-style: none; }
.nav a { display: block; color: #dbe5f3; text-decoration: none; padding: 8px 12px; border-radius: 6px; }
.nav a:hover { background: rgba(255,255,255,.1); color: #fff; }
.nav a[aria-current="page"] { background: rgba(255,255,255,.18); color: #fff; font-weight: 600; }
.whoami { display: flex; align-items: center; gap: 10px; font-size: 13px; color: #dbe5f3; flex-wrap: wrap; }
.whoami a { color: #fff; }
.whoami form { margin: 0; }
.linkish { background: none; border: 1px solid rgba(255,255,255,.45); color: #fff; border-radius: 6px; padding: 4px 10px; font: inherit; cursor: pointer; }
.linkish:hover { background: rgba(255,255,255,.12); }
main { width: 100%; max-width: 1200px; margin: 0 auto; padding: 20px 16px 40px; flex: 1; }
h1 { font-size: 24px; margin: 4px 0 16px; }
h2 { font-size: 17px; margin: 0 0 12px; }
h3 { font-size: 15px; margin: 16px 0 8px; }
p { margin: 0 0 12px; }
.muted { color: var(--muted); }
.small { font-size: 13px; }
.code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; word-break: break-all; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 16px; margin-bottom: 16px; }
.panel-head { display: flex; align-items: center; justify-content: space-between; gap: 12px; flex-wrap: wrap; margin-bottom: 8px; }
.panel-head h2 { margin: 0; }
.grid { display: grid; gap: 16px; }
.grid-4 { grid-template-columns: repeat(4, minmax(0, 1fr)); margin-bottom: 16px; }
.grid-2 { grid-template-columns: repeat(2, minmax(0, 1fr)); margin-bottom: 16px; }
.grid > .panel { margin-bottom: 0; }
td.wrap { overflow-wrap: anywhere; }
td.nowrap { white-space: nowrap; }
.stat { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; text-decoration: none; color: inherit; display: block; border-top: 4px solid var(--line); }
a.stat:hover { box-shadow: 0 2px 8px rgba(20,30,50,.08); color: inherit; }
.stat .label, .stat .value { display: block; }
.stat .label { color: var(--muted); font-size: 13px; text-transform: uppercase; letter-spacing: .4px; }
.stat .value { font-size: 30px; font-weight: 700; line-height: 1.2; }
.stat-high { border-top-color: var(--high); } .stat-high .value { color: var(--high); }
.stat-medium { border-top-color: var(--medium); } .stat-medium .value { color: var(--medium); }
.stat-low { border-top-color: var(--low); } .stat-low .value { color: var(--low); }
.stat-behaviors { border-top-color: var(--ok); }
.grid + .panel, .grid + .grid { margin-top: 16px; }
.notice { border-radius: 10px; padding: 12px 16px; margin-bottom: 16px; border: 1px solid; }
.notice p:last-child { margin-bottom: 0; }
.notice-info { background: #eef4ff; border-color: #c6d7f7; }
.notice-warn { background: #fff6e5; border-color: #f3d08a; }
.notice-ok { background: var(--ok-bg); border-color: #a9dbb8; }
.notice-error { background: var(--high-bg); border-color: #f2b8b3; }
.badge { display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 12px; font-weight: 600; text-transform: uppercase; letter-spacing: .3px; }
.badge-high { background: var(--high-bg); color: var(--high); }
.badge-medium { background: var(--medium-bg); color: var(--medium); }
.badge-low { background: var(--low-bg); color: var(--low); }
.badge-none { background: #eceff3; color: var(--muted); }
.badge-on { background: var(--ok-bg); color: var(--ok); }
.badge-off { background: #eceff3; color: var(--muted); }
.table-wrap { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: 9px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; text-transform: uppercase; letter-spacing: .4px; color: var(--muted); font-weight: 600; white-space: nowrap; }
tbody tr:hover { background: #fafbfd; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.empty { color: var(--muted); padding: 16px 10px; }
form.inline { display: inline; margin: 0; }
.filters { display: flex; gap: 12px; flex-wrap: wrap; align-items: flex-end; margin-bottom: 12px; }
.field { display: flex; flex-direction: column; gap: 4px; min-width: 0; }
.field label, .label-text { font-size: 13px; font-weight: 600; color: var(--muted); }
.field-grow { flex: 1 1 220px; }
input[type="text"], input[type="search"], input[type="email"], input[type="password"], input[type="url"], input[type="number"], select, textarea {
  font: inherit; color: inherit; background: #fff; border: 1px solid #c3cad5; border-radius: 6px; padding: 7px 10px; min-height: 38px; width: 100%;
}
textarea { min-height: 70px; resize: vertical; }
input[aria-invalid="true"], select[aria-invalid="true"] { border-color: var(--danger); background: #fffafa; }
.error-text { color: var(--danger); font-size: 13px; margin: 2px 0 0; }
.hint { color: var(--muted); font-size: 13px; margin: 2px 0 0; }
.btn { display: inline-flex; align-items: center; justify-content: center; gap: 6px; font: inherit; font-weight: 600; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: #fff; padding: 7px 14px; min-height: 38px; cursor: pointer; text-decoration: none; white-space: nowrap; }
.btn:hover { background: var(--accent-dark); color: #fff; }
.btn-secondary { background: #fff; color: var(--accent); }
.btn-secondary:hover { background: #eef3fc; color: var(--accent-dark); }
.btn-danger { background: var(--danger); border-color: var(--danger); }
.btn-danger:hover { background: #8f1c13; }
.btn-small { padding: 3px 10px; min-height: 30px; font-size: 13px; }
.actions { display: flex; gap: 8px; flex-wrap: wrap; align-items: center; }
.pager { display: flex; gap: 12px; align-items: center; justify-content: space-between; flex-wrap: wrap; margin-top: 12px; }
.pager .actions a[aria-disabled="true"] { pointer-events: none; opacity: .45; }
.range-switch { display: inline-flex; border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
.range-switch a { padding: 5px 12px; text-decoration: none; color: var(--text); font-size: 13px; border-left: 1px solid var(--line); }
.range-switch a:first-child { border-left: 0; }
.range-switch a[aria-current="true"] { background: var(--accent); color: #fff; font-weight: 600; }
.chart { width: 100%; min-height: 260px; }
.legend { display: flex; gap: 14px; font-size: 13px; color: var(--muted); flex-wrap: wrap; margin-top: 6px; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; vertical-align: baseline; }
.swatch-high { background: var(--high); } .swatch-medium { background: #e29a2e; } .swatch-low { background: #5b8fd6; }
.bar-list { list-style: none; margin: 0; padding: 0; }
.bar-list li { display: grid; grid-template-columns: minmax(0, 1fr) auto; gap: 2px 12px; padding: 6px 0; border-bottom: 1px solid var(--line); }
.bar-list li:last-child { border-bottom: 0; }
.bar-list meter { grid-column: 1 / -1; width: 100%; height: 8px; }
.bar-list meter::-webkit-meter-bar { background: #eceff3; border: 0; border-radius: 4px; }
.bar-list meter::-webkit-meter-optimum-value { background: var(--accent); border-radius: 4px; }
.bar-list meter::-moz-meter-bar { background: var(--accent); }
.kv { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 6px 16px; margin: 0; }
.kv dt { color: var(--muted); font-size: 13px; font-weight: 600; }
.kv dd { margin: 0; }
.timeline { list-style: none; margin: 0; padding: 0; }
.timeline li { border-left: 3px solid var(--line); padding: 4px 0 14px 14px; position: relative; }
.timeline li.lvl-high { border-left-color: var(--high); }
.timeline li.lvl-medium { border-left-color: #e29a2e; }
.timeline li.lvl-low { border-left-color: #5b8fd6; }
.timeline .when { font-size: 13px; color: var(--muted); }
.timeline .what { font-weight: 600; }
.evidence { margin: 4px 0 0; }
details > summary { cursor: pointer; }
details.raw { margin-top: 4px; font-size: 13px; }
details.raw pre { background: #f3f5f8; border-radius: 6px; padding: 8px; overflow-x: auto; max-height: 260px; }
details.confirm { margin-top: 12px; border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px; }
details.confirm[open] { background: #fffaf9; border-color: #f2b8b3; }
details.confirm > summary { font-weight: 600; color: var(--danger); }
details.confirm .stack { margin-top: 10px; }
.stack > * + * { margin-top: 10px; }
.copy-row { display: flex; gap: 8px; align-items: stretch; }
.copy-row input { flex: 1; min-width: 0; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.login { max-width: 440px; margin: 48px auto; }
.login form.panel { margin-bottom: 0; }
.login .or { margin: 12px 0; }
.login h1 { text-align: center; }
fieldset { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; margin: 0 0 14px; }
legend { font-weight: 600; padding: 0 6px; }
.or { text-align: center; color: var(--muted); margin: 4px 0 14px; font-size: 13px; }
.form-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: 12px; }
.thresholds fieldset { margin-bottom: 12px; }
.toggle-form { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
.toggle-form select { width: auto; }
footer { border-top: 1px solid var(--line); color: var(--muted); font-size: 13px; }
footer .inner { max-width: 1200px; margin: 0 auto; padding: 12px 16px; display: flex; gap: 16px; flex-wrap: wrap; justify-content: space-between; }
.htmx-indicator { opacity: 0; transition: opacity .2s; }
.htmx-request .htmx-indicator, .htmx-request.htmx-indicator { opacity: 1; }
.u-legend { display: none; }
@media (max-width: 900px) {
  .grid-4 { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  .grid-2 { grid-template-columns: minmax(0, 1fr); }
}
@media (max-width: 600px) {
  :root { font-size: 14px; }
  main { padding: 14px 10px 32px; }
  .topbar-inner { padding: 6px 10px; gap: 6px; }
  .mainnav { order: 3; flex-basis: 100%; overflow-x: auto; }
  .nav { flex-wrap: nowrap; }
  .nav a { padding: 6px 10px; white-space: nowrap; }
  .whoami { margin-left: auto; }
  .whoami .who { display: none; }
  .col-optional { display: none; }
  .panel { padding: 12px; }
  .stat .value { font-size: 24px; }
  table.cards thead { display: none; }
  table.cards tr { display: block; border-bottom: 1px solid var(--line); padding: 8px 0; }
  table.cards td { display: flex; justify-content: space-between; align-items: baseline; gap: 12px; border: 0; padding: 2px 4px; text-align: right; }
  table.cards td::before { content: attr(data-label); color: var(--muted); font-size: 12px; font-weight: 600; text-transform: uppercase; letter-spacing: .4px; }
  table.cards td:first-child { display: block; text-align: left; }
  table.cards td:first-child::before, table.cards td.empty::before { content: none; }
  table.cards td.empty { display: block; text-align: left; }
  table.cards td.col-optional { display: none; }
  .kv { grid-template-columns: minmax(0, 1fr); }
  .kv dd { margin-bottom: 6px; }
}
`;
