import { concurrencySuite } from './concurrency.ts';

concurrencySuite('sqlite');
