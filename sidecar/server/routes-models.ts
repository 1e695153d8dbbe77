import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { zDownloadRequest, zMigrateRequest } from './http-api';
import { DepotError } from '../../shared/errors';
import type { Depot } from '../services/depot/create-depot';
import { describeZodError } from './describe-zod-error';
import type { GivenTokens } from './given-tokens';

/**
 * The `/models` routes (check, download, jobs, stats, list, migrate). Thin: each parses its input and calls the depot. `givenTokens` learns of the
 * jobs and tokens of each download, for the logger's redaction.
 */
export function routesModels(depot: Depot, givenTokens: GivenTokens): Router {
  const router = Router();

  router.post('/models/check-dependencies', async (req, res) => {
    if (req.body === undefined) {
      throw new DepotError(
        'BAD_INPUT',
        'Send the workflow as a JSON body (a workflow, { workflow } or { dependencies }).',
      );
    }
    res.json(await depot.check(req.body));
  });

  router.post('/models/download', async (req, res) => {
    const parsed = zDownloadRequest.safeParse(req.body);
    if (!parsed.success) {
      throw new DepotError(
        'BAD_INPUT',
        `Expected { items: [requirement...], tokens? }: ${describeZodError(parsed.error)}`,
      );
    }
    const tokens = parsed.data.tokens;
    // Each request is a client of its own: its tokens go with its jobs only, and nobody is left to ask for a
    // missing one, so a gated download fails at once instead of waiting.
    const clientId = `http-${randomUUID()}`;
    const jobs = await depot.install(parsed.data.items, { tokens, clientId, waitForToken: false });
    givenTokens.started(clientId, jobs, tokens);
    res.status(202).json({ jobs });
  });

  router.get('/models/jobs', (_req, res) => {
    res.json({ jobs: depot.jobs() });
  });

  router.get('/models/jobs/:id', (req, res) => {
    const job = depot.job(req.params.id);
    if (!job) throw new DepotError('NOT_FOUND', `No job ${req.params.id}; GET /models/jobs lists the current ones.`);
    res.json({ job });
  });

  router.delete('/models/jobs/:id', (req, res) => {
    const job = depot.cancel(req.params.id);
    if (!job) throw new DepotError('NOT_FOUND', `No job ${req.params.id}; GET /models/jobs lists the current ones.`);
    res.json({ job });
  });

  router.get('/models/stats', (_req, res) => {
    res.json(depot.stats());
  });

  router.get('/models', (_req, res) => {
    res.json({ models: depot.list() });
  });

  router.post('/models/migrate', async (req, res) => {
    const parsed = zMigrateRequest.safeParse(req.body ?? {});
    if (!parsed.success) {
      throw new DepotError('BAD_INPUT', `Expected { dryRun?, folder? }: ${describeZodError(parsed.error)}`);
    }
    res.json(await depot.migrate(parsed.data));
  });

  return router;
}
