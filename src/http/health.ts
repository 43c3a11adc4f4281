import { type RequestHandler, Router } from 'express';
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
 * Health for load balancers and orchestrators: no auth, no version or environment details.
 * - `/health` and `/health/ready`: may this process be sent requests? 503 from the moment
 *   shutdown begins (while it still serves, so the balancer can move away first) and while the
 *   database does not take a write.
 * - `/health/live`: is the process itself working? It does not ask the database and stays 200
 *   while draining: an orchestrator that restarts on a failed liveness check must not restart
 *   every process at once because the shared database blinked, nor kill one mid-drain.
 */
export const HEALTH_PATH = '/health';

export function healthRouter(probe: HealthProbe, lifecycle: Lifecycle, logger: Logger): Router {
  const router = Router();
  const ready: RequestHandler = async (_req, res) => {
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
  };
  // Mounted at HEALTH_PATH: one layer for every other request to pass.
  router.get(['/', '/ready'], ready);
  router.get('/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  return router;
}
