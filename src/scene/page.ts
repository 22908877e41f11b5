/**
 * The example's login page: plain HTML and JS, served by the example server. It asks for a scene,
 * shows the QR (an SVG drawn by the server from what the QR encodes), polls every 2 s, and asks
 * for a phone number when the follower has no account yet. Server data only ever reaches the page
 * through `textContent`, never as markup.
 */

export interface PageOptions {
  /** Show the simulator's "scan" buttons (the demo runs against the platform simulator). */
  readonly demo: boolean;
}

const STYLE = `
body { font-family: system-ui, -apple-system, "PingFang SC", "Microsoft YaHei", sans-serif; margin: 0; background: #f3f4f6; color: #111827; }
main { max-width: 420px; margin: 48px auto; background: #fff; border-radius: 12px; padding: 28px; box-shadow: 0 8px 24px rgba(0,0,0,.08); text-align: center; }
h1 { font-size: 20px; margin: 0 0 6px; }
p.sub { color: #6b7280; margin: 0 0 18px; font-size: 14px; }
#qr { width: 240px; height: 240px; margin: 0 auto; display: flex; align-items: center; justify-content: center; }
#qr img { width: 240px; height: 240px; }
#qr.dim img { opacity: .25; }
#status { font-weight: 600; margin: 16px 0 4px; }
#detail { color: #6b7280; font-size: 13px; min-height: 18px; word-break: break-all; }
form { margin-top: 16px; display: none; gap: 8px; justify-content: center; }
input { padding: 8px 10px; border: 1px solid #d1d5db; border-radius: 8px; font-size: 15px; width: 180px; }
button { padding: 8px 14px; border: 0; border-radius: 8px; background: #07c160; color: #fff; font-size: 14px; cursor: pointer; }
button.secondary { background: #e5e7eb; color: #111827; }
#demo { margin-top: 22px; padding-top: 16px; border-top: 1px dashed #d1d5db; display: none; }
#demo p { font-size: 12px; color: #6b7280; margin: 0 0 8px; }
#again { display: none; margin-top: 12px; }
`;

const SCRIPT = `
const $ = (id) => document.getElementById(id);
const DEMO = document.body.dataset.demo === '1';
const TEXT = {
  pending: ['Scan with WeChat', 'Follow the account or scan again if you already follow it.'],
  scanned: ['Scanned', 'Checking your account…'],
  needsBinding: ['One more step', 'Bind a phone number to finish logging in.'],
  loggedIn: ['Logged in', ''],
  expired: ['QR code expired', 'Get a new one to try again.'],
  failed: ['Login failed', ''],
};
let scene = null;
let timer = null;
let lastOpenid = null;

function show(status, detail) {
  const [title, hint] = TEXT[status] || [status, ''];
  $('status').textContent = title;
  $('detail').textContent = detail || hint;
  $('bind').style.display = status === 'needsBinding' ? 'flex' : 'none';
  $('again').style.display = status === 'expired' || status === 'failed' ? 'inline-block' : 'none';
  $('qr').className = status === 'pending' ? '' : 'dim';
  $('demo').style.display = DEMO && status === 'pending' ? 'block' : 'none';
}

async function start() {
  clearTimeout(timer);
  scene = null;
  $('qr').textContent = '';
  show('pending', 'Getting a QR code…');
  const res = await fetch('/login/scene', { cache: 'no-store' });
  const body = await res.json();
  if (!res.ok) { show('failed', body.error ? body.error.message : 'could not get a QR code'); return; }
  scene = body;
  const img = document.createElement('img');
  img.alt = 'WeChat QR code';
  img.src = '/login/scene/' + encodeURIComponent(scene.sceneId) + '/qr.svg';
  $('qr').appendChild(img);
  $('qrlink').href = scene.qrUrl;
  show('pending');
  poll();
}

async function poll() {
  if (!scene) return;
  let next = 2000;
  try {
    const res = await fetch('/login/scene/' + encodeURIComponent(scene.sceneId), { cache: 'no-store' });
    const body = await res.json();
    const status = res.status === 404 ? 'expired' : body.status;
    let detail = '';
    if (status === 'loggedIn') detail = 'user ' + body.userId + ' (openid ' + body.openid + ')';
    if (status === 'needsBinding' && body.bindError) detail = body.bindError.message;
    if (status === 'failed' && body.error) detail = body.error.message;
    show(status, detail);
    if (status === 'loggedIn' || status === 'expired' || status === 'failed') return;
  } catch (e) {
    $('detail').textContent = 'connection problem, retrying…';
    next = 4000;
  }
  timer = setTimeout(poll, next);
}

$('bind').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  if (!scene) return;
  const res = await fetch('/login/scene/' + encodeURIComponent(scene.sceneId) + '/bind', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone: $('phone').value }),
  });
  const body = await res.json();
  if (!res.ok) $('detail').textContent = body.error ? body.error.message : 'binding failed';
  clearTimeout(timer);
  poll();
});

async function demoScan(existing) {
  if (!scene) return;
  const body = { sceneId: scene.sceneId };
  if (existing && lastOpenid) body.openid = lastOpenid;
  const res = await fetch('/demo/scan', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const out = await res.json();
  if (out.ok) lastOpenid = out.openid;
  clearTimeout(timer);
  poll();
}
$('scanNew').addEventListener('click', () => demoScan(false));
$('scanAgain').addEventListener('click', () => demoScan(true));
$('again').addEventListener('click', start);
start();
`;

export function renderLoginPage(options: PageOptions): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Log in with WeChat — scene QR example</title>
<style>${STYLE}</style>
</head>
<body data-demo="${options.demo ? '1' : '0'}">
<main>
  <h1>Log in with WeChat</h1>
  <p class="sub">Official-account scene QR (带参数二维码) · <a id="qrlink" href="#" target="_blank" rel="noopener">platform image</a></p>
  <div id="qr"></div>
  <div id="status"></div>
  <div id="detail"></div>
  <form id="bind"><input id="phone" name="phone" inputmode="tel" placeholder="Phone number" autocomplete="tel"><button type="submit">Bind</button></form>
  <button id="again" class="secondary" type="button">New QR code</button>
  <div id="demo">
    <p>Simulator: play the phone</p>
    <button id="scanNew" type="button">Scan as a new follower</button>
    <button id="scanAgain" class="secondary" type="button">Scan as the last user</button>
  </div>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
