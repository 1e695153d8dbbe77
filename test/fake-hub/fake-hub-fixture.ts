import { test as base } from 'vitest';
import { createFakeHub, type FakeHub } from './create-fake-hub';

/** A vitest fixture handing each test its own running fake hub, closed after the test. */
export const test = base.extend<{ hub: FakeHub }>({
  // eslint-disable-next-line no-empty-pattern
  hub: async ({}, use) => {
    const hub = await createFakeHub({
      treePageSize: 1000,
      hfTokens: ['hf_valid_without_grant'],
      civitaiTokens: ['civitai_valid'],
    });
    await use(hub);
    await hub.close();
  },
});
