// The rest-properties suite (rest-properties.ts) on PostgreSQL.
import { restPropertiesSuite } from './rest-properties.ts';

restPropertiesSuite('postgres');
