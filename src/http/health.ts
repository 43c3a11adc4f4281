import { Router } from 'express';
import type { Logger } from 'pino';
import type { HealthProbe } from '../repositories/types.ts';
import { UnavailableError } from '../services/errors.ts';

export interface Lifecycle {
  /** True once shutdown has begun: load balancers should stop sending traffic. */
  draining: boolean;
  /** Requests being answered, not counting long-lived MCP streams; shutdown waits for it to reach 0. */
  inFlight: number;
}

/**
 * GET /health for load balancers: no auth, no version or environment details. 503 when the
 * database cannot take a write or is no longer the file it opened, so traffic moves elsewhere.
 */
export function healthRouter(probe: HealthProbe, lifecycle: Lifecycle, logger: Logger): Router {
  const router = Router();
  router.get('/health', async (_req, res) => {
    if (lifecycle.draining) {
      res.status(503).json({ status: 'draining' });
      return;
    }
    try {
      await probe.check();
      res.json({ status: 'ok' });
    } catch (error) {
      logger.error(
        {
          errorName: (error as Error).name,
          ...(error instanceof UnavailableError ? { reason: error.reason } : {}),
        },
        'health check: database unavailable',
      );
      res.status(503).json({ status: 'unavailable' });
    }
  });
  return router;
}
