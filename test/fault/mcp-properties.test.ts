// The mcp-properties suite (mcp-properties.ts) on SQLite.
import { mcpPropertiesSuite } from './mcp-properties.ts';

mcpPropertiesSuite('sqlite');
