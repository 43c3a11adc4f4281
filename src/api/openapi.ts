export function openApiDocument(publicUrl: string): Record<string, unknown> {
  return {
    openapi: '3.1.1',
    info: { title: 'todos', version: '0.1.0' },
    servers: [{ url: publicUrl }],
    paths: {},
  };
}
