/**
 * The real services bound into the scene-login machine: the token cache, the platform's
 * `qrcode/create` and the site's account directory. Each actor answers a value for everything the
 * platform or the directory can say; only a bug rejects (and the machine treats that as failure).
 */
import { fromPromise } from 'xstate';
import type { AccountDirectory } from '../scene/accounts.js';
import type { PlatformClient } from '../scene/platform.js';
import type { TokenCache } from '../scene/token-cache.js';
import { sceneLoginMachine } from './scene-login.machine.js';
import type {
  AccessTokenInput,
  AccessTokenOutput,
  BindAccountInput,
  BindAccountOutput,
  CreateQrCodeInput,
  CreateQrCodeOutput,
  LookupBindingInput,
  LookupBindingOutput,
} from './scene-login.types.js';

export interface SceneLoginActorDeps {
  readonly tokens: TokenCache;
  readonly platform: PlatformClient;
  readonly accounts: AccountDirectory;
}

export function provideSceneLoginActors(deps: SceneLoginActorDeps) {
  return sceneLoginMachine.provide({
    actors: {
      fetchAccessToken: fromPromise<AccessTokenOutput, AccessTokenInput>(({ input, signal }) => deps.tokens.get(input, signal)),
      createQrCode: fromPromise<CreateQrCodeOutput, CreateQrCodeInput>(async ({ input, signal }) => {
        const answer = await deps.platform.createQrCode(input, signal);
        if (!answer.ok) return { ok: false, error: answer.error, fingerprint: input.fingerprint };
        return {
          ok: true,
          ticket: answer.qr.ticket,
          qrContent: answer.qr.url,
          imageUrl: answer.imageUrl,
          expireSeconds: answer.qr.expireSeconds ?? input.expireSeconds,
        };
      }),
      lookupBinding: fromPromise<LookupBindingOutput, LookupBindingInput>(({ input }) => deps.accounts.findByOpenid(input.openid)),
      bindAccount: fromPromise<BindAccountOutput, BindAccountInput>(({ input }) => deps.accounts.bindPhone(input.openid, input.phone)),
    },
  });
}

export type ProvidedSceneLoginMachine = ReturnType<typeof provideSceneLoginActors>;
