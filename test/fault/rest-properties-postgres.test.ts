import { restPropertiesSuite } from './rest-properties.ts';

restPropertiesSuite('postgres');
