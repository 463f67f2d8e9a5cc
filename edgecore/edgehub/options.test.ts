import { compileEdgeHubOptions, createEdgeHub, EdgeHubError, type EdgeHubConfig } from '.';

const config: EdgeHubConfig = {
  heartbeatMs: 15_000,
  messageQPS: 30,
  messageBurst: 60,
  servers: [{ host: '127.0.0.1', port: 10000 }],
  tlsCaFile: '/etc/kubeedge/ca/rootCA.crt',
  tlsCertFile: '/etc/kubeedge/certs/server.crt',
  tlsPrivateKeyFile: '/etc/kubeedge/certs/server.key',
  maxMessageSizeBytes: 12 * 1024 * 1024,
};

const refusal = (change: Partial<EdgeHubConfig>, nodeName = 'edge-1'): EdgeHubError => {
  try {
    compileEdgeHubOptions({ config: { ...config, ...change }, nodeName });
  } catch (error) {
    return error as EdgeHubError;
  }
  throw new Error('expected the options to be refused');
};

describe('edgehub options', () => {
  it('fills in tuning defaults from the heartbeat', () => {
    const compiled = compileEdgeHubOptions({ config, nodeName: 'edge-1' });
    expect(compiled).toMatchObject({
      reconnectInitialMs: 500,
      reconnectMaxMs: 30_000,
      http2KeepaliveTimeMs: 15_000,
      http2KeepaliveTimeoutMs: 10_000,
      tlsFiles: { caFile: config.tlsCaFile, certFile: config.tlsCertFile, keyFile: config.tlsPrivateKeyFile },
    });
  });

  it.each([
    [{ servers: [] }, 'modules.edgeHub.servers: is empty; list at least one cloudcore tunnel address'],
    [{ servers: [{ host: '', port: 1 }] }, 'modules.edgeHub.servers[0]: is {"host":"","port":1}; write host:port'],
    [{ heartbeatMs: 0 }, 'modules.edgeHub.heartbeat: is 0; set it to a duration such as 15s'],
    [{ messageQPS: -1 }, 'modules.edgeHub.messageQPS: is -1'],
    [{ messageBurst: 0.5 }, 'modules.edgeHub.messageBurst: is 0.5; set it to a whole number'],
    [{ maxMessageSizeBytes: 0 }, 'modules.edgeHub.maxMessageSize: is 0; set it to a size such as 12Mi'],
    [{ tlsCertFile: '' }, 'modules.edgeHub.tlsCertFile: is empty; set the absolute path of the file'],
  ])('refuses %j naming the field and the fix', (change, text) => {
    const error = refusal(change as Partial<EdgeHubConfig>);
    expect(error).toBeInstanceOf(EdgeHubError);
    expect(error.code).toBe('INVALID_OPTIONS');
    expect(error.message).toContain(text);
  });

  it('refuses an empty node name and bad tuning', () => {
    expect(refusal({}, '').message).toMatch(/^nodeName: is empty/);
    expect(() =>
      compileEdgeHubOptions({ config, nodeName: 'n', tuning: { reconnectInitialMs: 5000, reconnectMaxMs: 100 } }),
    ).toThrow('tuning.reconnectMaxMs: is below reconnectInitialMs (5000); raise it');
  });

  it('is a module named edgehub in group hub', () => {
    const hub = createEdgeHub({ config, nodeName: 'edge-1' });
    expect([hub.name, hub.group, hub.state]).toEqual(['edgehub', 'hub', 'disconnected']);
    expect(() => hub.reconnect('not running yet')).not.toThrow();
  });
});
