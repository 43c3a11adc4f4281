// The concurrency suite (concurrency.ts) on SQLite.
import { concurrencySuite } from './concurrency.ts';

concurrencySuite('sqlite');
