import type { ApiRoute } from '../route.js';
import { auditRoutes } from './audit.js';
import { behaviorRoutes } from './behaviors.js';
import { ingestRoutes } from './ingest.js';
import { integrationRoutes } from './integrations.js';
import { signalStreamRoutes } from './ssf-streams.js';
import { userRoutes } from './users.js';

/** Every account-scoped API route, registered from this plain list. */
export const API_ROUTES: readonly ApiRoute[] = [
  ...userRoutes,
  ...behaviorRoutes,
  ...integrationRoutes,
  ...auditRoutes,
  ...ingestRoutes,
  ...signalStreamRoutes,
];
