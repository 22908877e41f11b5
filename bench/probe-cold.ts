/**
 * `tsx bench/probe-cold.ts [runs]`: what the first use of each library on the login path costs in
 * a fresh process, next to its second use — the cold part of login-latency that belongs to the
 * stack rather than to the engine. Each probe runs in its own `node` process (the library imported
 * first, then timed), `runs` times (default 5); the medians are printed. Not a result of the bench
 * (no ratio, no goal); the numbers behind docs/benchmarks.md "login-latency".
 *
 *   cookie  tough-cookie: a CookieJar's first setCookie (canonicalDomain's IPv6 regex, public suffix)
 *   canon   tough-cookie: canonicalDomain alone
 *   xml     fast-xml-parser: the first parse of a newloginpage answer
 *   got     got: the first request to a loopback server (node:http's first use included)
 *   http    node:http alone: the same first request, for comparison
 */
import { execFileSync } from 'node:child_process';

const PROBES: Readonly<Record<string, string>> = {
  cookie: `
    const { CookieJar } = await import('tough-cookie');
    const jar = new CookieJar();
    const url = 'https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage';
    const once = (v) => jar.setCookie('wxuin=' + v + '; Domain=wx.qq.com; Path=/', url);
    report(await time(() => once(1)), await time(() => once(2)));`,
  canon: `
    const { canonicalDomain } = await import('tough-cookie');
    report(await time(() => canonicalDomain('wx.qq.com')), await time(() => canonicalDomain('webpush.wx.qq.com')));`,
  xml: `
    const { XMLParser } = await import('fast-xml-parser');
    const parser = new XMLParser({});
    const page = (n) => '<error><ret>0</ret><message></message><skey>@crypt_' + n + '</skey><wxsid>s</wxsid><wxuin>' + n + '</wxuin><pass_ticket>p</pass_ticket><isgrayscale>1</isgrayscale></error>';
    report(await time(() => parser.parse(page(1))), await time(() => parser.parse(page(2))));`,
  got: `
    const { default: got } = await import('got');
    const url = await server();
    const once = () => got(url, { retry: { limit: 0 }, responseType: 'buffer' });
    report(await time(once), await time(once));`,
  http: `
    const http = await import('node:http');
    const url = await server();
    const once = () => new Promise((resolve) => http.get(url, (res) => { res.resume(); res.on('end', resolve); }));
    report(await time(once), await time(once));`,
};

const PRELUDE = `
  const { performance } = await import('node:perf_hooks');
  const time = async (f) => { const t = performance.now(); await f(); return performance.now() - t; };
  const report = (first, second) => { console.log(JSON.stringify({ first, second })); process.exit(0); };
  const server = async () => {
    const http = await import('node:http');
    const s = http.createServer((req, res) => res.end('window.QRLogin.code = 200; window.QRLogin.uuid = "x";'));
    await new Promise((resolve) => s.listen(0, '127.0.0.1', resolve));
    s.unref();
    return 'http://127.0.0.1:' + s.address().port + '/jslogin';
  };`;

const runs = Number(process.argv[2] ?? 5);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const root = new URL('..', import.meta.url);

for (const [name, body] of Object.entries(PROBES)) {
  const firsts: number[] = [];
  const seconds: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', `${PRELUDE}\n${body}`], { cwd: root, encoding: 'utf8' });
    const { first, second } = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { first: number; second: number };
    firsts.push(first);
    seconds.push(second);
  }
  console.log(`${name.padEnd(7)} first ${median(firsts).toFixed(2)} ms, second ${median(seconds).toFixed(2)} ms (median of ${runs})`);
}
