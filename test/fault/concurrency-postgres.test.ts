import { concurrencySuite } from './concurrency.ts';

concurrencySuite('postgres');
