/**
 * The scene-QR login example as a site would wire it (seed 004).
 *
 *   npx tsx examples/scene-login/server.ts                  # against the platform simulator
 *   REDIS_URL=redis://127.0.0.1:6379 PORT=8081 npx tsx examples/scene-login/server.ts
 *   WECHAT_APPID=wx… WECHAT_APPSECRET=… CALLBACK_TOKEN=… npx tsx examples/scene-login/server.ts
 *
 * Without WECHAT_APPID the official-account platform is simulated on loopback and the page shows
 * buttons that play the user's phone. `webwx scene-demo` runs the same thing from the CLI.
 */
import { randomBytes } from 'node:crypto';
import { createSceneBackend, startOfficialSimulator, startSceneExampleServer, type OfficialSimulator } from '../../src/scene/index.js';

const env = process.env;
const port = Number(env['PORT'] ?? 8080);
// The token you enter on the platform's "服务器配置" page; a secret shared with the platform.
const callbackToken = env['CALLBACK_TOKEN'] ?? randomBytes(16).toString('hex');

// 1. The platform: the real one (api.weixin.qq.com) or the simulator.
let simulator: OfficialSimulator | null = null;
let platform;
if (env['WECHAT_APPID'] && env['WECHAT_APPSECRET']) {
  platform = { appId: env['WECHAT_APPID'], appSecret: env['WECHAT_APPSECRET'] };
} else {
  simulator = await startOfficialSimulator();
  platform = { appId: simulator.world.appId, appSecret: simulator.world.appSecret, apiBaseUrl: simulator.origin, showQrBaseUrl: simulator.origin };
}

// 2. Scenes, the access token and accounts: in memory, or shared by every instance through Redis.
const backend = createSceneBackend({ platform, ...(env['REDIS_URL'] ? { redisUrl: env['REDIS_URL'] } : {}) });

// 3. The web app: page, /login/scene…, /wechat/callback.
const sim = simulator;
const server = await startSceneExampleServer({
  service: backend.service,
  callbackToken,
  port,
  log: (line) => console.error(line),
  ...(sim ? { demoScan: (req) => sim.scan(req) } : {}),
});
sim?.configureCallback(`${server.origin}/wechat/callback`, callbackToken);

console.log(`Open ${server.origin}/ (store: ${backend.storeKind}${sim ? `, platform simulator at ${sim.origin}` : ''})`);
if (!sim) console.log(`Set the platform's callback URL to https://<your host>/wechat/callback with your CALLBACK_TOKEN.`);

const stop = async (): Promise<void> => {
  await server.close();
  await backend.close();
  await sim?.close();
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
