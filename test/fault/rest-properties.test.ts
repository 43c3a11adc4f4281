import { restPropertiesSuite } from './rest-properties.ts';

restPropertiesSuite('sqlite');
