// The concurrency suite (concurrency.ts) on PostgreSQL.
import { concurrencySuite } from './concurrency.ts';

concurrencySuite('postgres');
