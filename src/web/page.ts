/**
 * The console's one HTML page and its style sheet. Served from strings (not files) so the page
 * ships inside dist/ with the compiled code; the script is in browser-app.ts, the diagram library
 * comes from node_modules (see server.ts): nothing is fetched from the internet.
 */

export const PAGE_CSS = `
:root { --ink: #1f2328; --muted: #656d76; --line: #d0d7de; --card: #ffffff; --bg: #f6f8fa; --accent: #07c160; --warn: #cf222e; --hi: #ffd33d; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "Noto Sans CJK SC", "Noto Sans", sans-serif; color: var(--ink); background: var(--bg); }
header { display: flex; align-items: center; gap: 12px; padding: 10px 18px; background: #24292f; color: #fff; }
header h1 { font-size: 16px; margin: 0; font-weight: 600; }
header .spacer { flex: 1; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 12px; background: #57606a; color: #fff; font-weight: 600; font-size: 13px; }
.badge[data-top="syncing"] { background: var(--accent); }
.badge[data-top="loggedOut"] { background: var(--warn); }
.badge[data-top="scanned"], .badge[data-top="confirmed"], .badge[data-top="initialized"] { background: #bf8700; }
.conn { font-size: 12px; color: #d0d7de; }
.conn[data-ok="false"] { color: #ff8182; }
button { font: inherit; padding: 5px 12px; border: 1px solid var(--line); border-radius: 6px; background: #f6f8fa; cursor: pointer; }
button:disabled { opacity: .5; cursor: default; }
button.primary { background: var(--accent); border-color: #06a050; color: #fff; font-weight: 600; }
button.danger { background: #fff; color: var(--warn); border-color: #ff8182; }
main { display: grid; grid-template-columns: 380px minmax(0, 1fr); gap: 14px; padding: 14px; height: calc(100vh - 48px); }
.col { display: flex; flex-direction: column; gap: 14px; min-height: 0; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; min-height: 0; }
.card h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: 0 0 8px; display: flex; align-items: center; gap: 8px; }
.card h2 .spacer { flex: 1; }
#login { display: flex; gap: 14px; align-items: center; }
#login .pic { width: 132px; height: 132px; flex: none; display: grid; place-items: center; border: 1px dashed var(--line); border-radius: 8px; background: #fff; overflow: hidden; }
#qr { width: 128px; height: 128px; image-rendering: pixelated; }
#avatar { width: 96px; height: 96px; border-radius: 8px; object-fit: cover; }
#user-name { font-size: 20px; font-weight: 700; word-break: break-all; }
#login-hint { color: var(--muted); }
.stat { font-size: 28px; font-weight: 700; }
form#send { display: grid; gap: 6px; }
form#send select, form#send input { font: inherit; padding: 5px 8px; border: 1px solid var(--line); border-radius: 6px; width: 100%; }
#send-result { min-height: 1.4em; font-size: 13px; color: var(--muted); }
#send-result[data-ok="false"] { color: var(--warn); }
#feed-card { flex: 1; display: flex; flex-direction: column; }
#feed { list-style: none; margin: 0; padding: 0; overflow: auto; flex: 1; }
#feed li { padding: 6px 0; border-bottom: 1px solid #eaeef2; }
#feed .meta { font-size: 12px; color: var(--muted); }
#feed .body { white-space: pre-wrap; word-break: break-word; }
#feed li.out .body { color: #0550ae; }
#feed li.out.failed .body { color: var(--warn); }
#chart-card { flex: 1; display: flex; flex-direction: column; }
#chart { flex: 1; overflow: auto; border: 1px solid #eaeef2; border-radius: 6px; background: #fff; position: relative; }
#chart svg { display: block; max-width: none !important; }
#chart .placeholder { padding: 20px; color: var(--muted); }
#chart-active { text-transform: none; letter-spacing: 0; font-weight: 400; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; color: var(--ink); }
#chart g.wx-active > rect, #chart g.wx-active > g > rect.outer, #chart g.wx-active rect.basic { fill: #fff3b0 !important; stroke: #d4a72c !important; stroke-width: 3px !important; }
#chart g.wx-active.wx-leaf > rect, #chart g.wx-active.wx-leaf rect.basic { fill: var(--hi) !important; stroke: #9a6700 !important; stroke-width: 3px !important; }
#transitions-card { flex: none; height: 280px; display: flex; flex-direction: column; }
#transitions-wrap { overflow: auto; flex: 1; }
table { border-collapse: collapse; width: 100%; font-size: 12px; }
td:first-child { white-space: nowrap; }
th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid #eaeef2; vertical-align: top; }
td.mono, th.mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
#errors { font-size: 12px; color: var(--warn); margin: 6px 0 0; padding-left: 16px; }
#logout-info { color: var(--warn); font-weight: 600; }
`;

export function pageHtml(title: string): string {
  const safeTitle = title.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${safeTitle}</title>
<link rel="stylesheet" href="/app.css">
</head>
<body>
<header>
  <h1>${safeTitle}</h1>
  <span id="status" class="badge" data-top="">starting</span>
  <span id="conn" class="conn" data-ok="false">connecting…</span>
  <span class="spacer"></span>
  <span id="logout-info"></span>
  <button id="logout" class="danger" type="button">Log out</button>
</header>
<main>
  <div class="col">
    <section class="card">
      <h2>Login</h2>
      <div id="login">
        <div class="pic">
          <img id="qr" alt="QR code to scan with WeChat" hidden>
          <img id="avatar" alt="avatar" hidden>
          <span id="pic-empty">…</span>
        </div>
        <div>
          <div id="user-name"></div>
          <div id="login-hint">Waiting for a QR code…</div>
        </div>
      </div>
    </section>
    <section class="card">
      <h2>Contacts</h2>
      <div class="stat" id="contacts-count">–</div>
    </section>
    <section class="card">
      <h2>Send a text</h2>
      <form id="send" autocomplete="off">
        <select id="send-to" aria-label="contact"><option value="">(contacts load after login)</option></select>
        <input id="send-to-custom" placeholder="…or a UserName (@…, filehelper)" aria-label="UserName">
        <input id="send-text" placeholder="Message" aria-label="message" maxlength="10000">
        <button id="send-button" class="primary" type="submit" disabled>Send</button>
        <div id="send-result" role="status"></div>
      </form>
    </section>
    <section class="card" id="feed-card">
      <h2>Messages</h2>
      <ul id="feed"></ul>
    </section>
  </div>
  <div class="col">
    <section class="card" id="chart-card">
      <h2>Statechart <span id="chart-active"></span><span class="spacer"></span>
        <label><input type="checkbox" id="follow" checked> follow</label>
        <button id="zoom-out" type="button" title="zoom out">−</button>
        <button id="zoom-fit" type="button" title="fit">fit</button>
        <button id="zoom-in" type="button" title="zoom in">+</button>
        <button id="labels" type="button">edge labels</button>
      </h2>
      <div id="chart"><div class="placeholder">Drawing the statechart…</div></div>
    </section>
    <section class="card" id="transitions-card">
      <h2>Recent transitions</h2>
      <div id="transitions-wrap">
        <table><thead><tr><th>time</th><th class="mono">event</th><th class="mono">from</th><th class="mono">to</th></tr></thead>
        <tbody id="transitions"></tbody></table>
      </div>
      <ul id="errors"></ul>
    </section>
  </div>
</main>
<script src="/vendor/mermaid.min.js"></script>
<script src="/app.js"></script>
</body>
</html>
`;
}
