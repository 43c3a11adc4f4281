// The rest-properties suite (rest-properties.ts) on SQLite.
import { restPropertiesSuite } from './rest-properties.ts';

restPropertiesSuite('sqlite');
