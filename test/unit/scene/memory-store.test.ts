import { createMemorySceneStore } from '../../../src/scene/memory-store.js';
import { describeSceneStoreContract } from './store-contract.js';

describeSceneStoreContract('memory', async () => {
  let clock = 1_700_000_000_000;
  const now = (): number => clock;
  const store = createMemorySceneStore({ now });
  return {
    store,
    now,
    advance: async (ms) => {
      clock += ms;
    },
    dispose: () => store.close(),
  };
});
