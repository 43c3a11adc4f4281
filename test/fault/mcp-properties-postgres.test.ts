import { mcpPropertiesSuite } from './mcp-properties.ts';

mcpPropertiesSuite('postgres');
