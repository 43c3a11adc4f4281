// The mcp-properties suite (mcp-properties.ts) on PostgreSQL.
import { mcpPropertiesSuite } from './mcp-properties.ts';

mcpPropertiesSuite('postgres');
