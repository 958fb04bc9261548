import express from 'express';
import request from 'supertest';
import { createSyncNode } from '../../../index';

describe('app.use(createSyncNode) without the call', () => {
  it('explains how a node is built and mounted: its .router, not the node itself', async () => {
    const app = express();
    app.use('/api/sync', createSyncNode as unknown as express.RequestHandler);
    app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).json({ message: error.message });
    });
    const response = await request(app).get('/api/sync/status');
    const { message } = response.body as { message: string };
    expect(message).toMatch(/createSyncNode is a factory/);
    expect(message).toContain('const node = createSyncNode({ ... }); app.use("/api/sync", node.router)');
    expect(message).not.toContain('app.use("/api/sync", createSyncNode({ ... }))');
  });
});
