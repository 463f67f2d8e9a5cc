/** The metamanager module inside a real ModuleRuntime, on real SQLite files, with stand-ins for edgehub and edged. */
import { jsonContent, newErrorResponse, newMessage, newResponse, Operation, type Message } from '../../pkg/message';
import { MetaError } from './errors';
import { cloudMessage, configMap, connectMessage, eventually, queryMessage, secondConnection, tempDir } from './testing/fixtures';
import { describeAnswer, startTestEdge, type TestEdge } from './testing/edge';

const OK = { operation: 'OPERATION_RESPONSE', content: 'OK' };

describe('metamanager module', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  let edge: TestEdge | undefined;
  afterEach(async () => {
    await edge?.stop();
    edge = undefined;
  });

  describe('changes from the cloud', () => {
    it('acknowledges only after the commit: no answer while another connection holds the write lock', async () => {
      const file = tmp.file();
      edge = await startTestEdge({ dataSource: file });
      const blocker = secondConnection(file);
      try {
        await blocker.raw('BEGIN IMMEDIATE');
        let answered = false;
        const answer = edge.send(cloudMessage('insert', 'default/configmap/cm', configMap('default', 'cm', '5'), '5')).then(async (response) => {
          answered = true;
          // The moment the ack arrives, an independent connection must see the row.
          const row = await blocker('meta').where({ key: 'default/configmap/cm' }).first();
          return { response, row };
        });
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(answered).toBe(false);
        await blocker.raw('ROLLBACK');
        const { response, row } = await answer;
        expect(describeAnswer(response)).toEqual(OK);
        expect(row).toMatchObject({ type: 'configmap', resource_version: '5' });
      } finally {
        await blocker.destroy();
      }
    });

    it('applies insert, update and delete, and tells edged each applied change as from metamanager', async () => {
      edge = await startTestEdge({ dataSource: tmp.file() });
      const insert = cloudMessage('insert', 'default/configmap/cm', configMap('default', 'cm', '5', { a: '1' }), '5');
      const update = cloudMessage('update', 'default/configmap/cm', configMap('default', 'cm', '6', { a: '2' }), '6');
      const patch = cloudMessage('patch', 'default/configmap/cm', configMap('default', 'cm', '7', { a: '3' }), '7');
      expect(describeAnswer(await edge.send(insert))).toEqual(OK);
      expect(describeAnswer(await edge.send(update))).toEqual(OK);
      expect(describeAnswer(await edge.send(patch))).toEqual(OK);
      expect(JSON.parse((await edge.manager.store.get('default/configmap/cm'))!.json).data).toEqual({ a: '3' });
      const del = cloudMessage('delete', 'default/configmap/cm', configMap('default', 'cm', '7', { a: '3' }), '7');
      expect(describeAnswer(await edge.send(del))).toEqual(OK);
      expect(await edge.manager.store.get('default/configmap/cm')).toBeUndefined();

      await eventually(() => edge!.edged.length === 4);
      expect(edge.edged.map((m) => [m.route!.operation, m.route!.source, m.header!.resourceVersion, m.header!.sync])).toEqual([
        [Operation.OPERATION_INSERT, 'metamanager', '5', false],
        [Operation.OPERATION_UPDATE, 'metamanager', '6', false],
        [Operation.OPERATION_PATCH, 'metamanager', '7', false],
        [Operation.OPERATION_DELETE, 'metamanager', '7', false],
      ]);
      expect(edge.edged[0]!.content).toEqual(insert.content);
      expect(edge.edged[0]!.route!.resource).toBe('default/configmap/cm');
      expect(await edge.counter('metamanager_changes_applied_total')).toBe(4);
    });

    it('tells devicetwin, not edged, of applied devices and device models', async () => {
      edge = await startTestEdge({ dataSource: tmp.file() });
      const device = { apiVersion: 'devices.kubeedge.io/v1beta1', kind: 'Device', metadata: { namespace: 'default', name: 'd1', resourceVersion: '3' } };
      const model = { apiVersion: 'devices.kubeedge.io/v1beta1', kind: 'DeviceModel', metadata: { namespace: 'default', name: 'm1', resourceVersion: '2' } };
      expect(describeAnswer(await edge.send(cloudMessage('insert', 'default/devicemodel/m1', model, '2')))).toEqual(OK);
      expect(describeAnswer(await edge.send(cloudMessage('insert', 'default/device/d1', device, '3')))).toEqual(OK);
      await eventually(() => edge!.devicetwin.length === 2);
      expect(edge.devicetwin.map((m) => m.route!.resource)).toEqual(['default/devicemodel/m1', 'default/device/d1']);
      expect(edge.edged).toEqual([]);
    });

    it('acknowledges duplicate and stale versions without writing them or telling edged', async () => {
      edge = await startTestEdge({ dataSource: tmp.file() });
      await edge.send(cloudMessage('insert', 'default/configmap/cm', configMap('default', 'cm', '10', { v: 'ten' }), '10'));
      expect(describeAnswer(await edge.send(cloudMessage('update', 'default/configmap/cm', configMap('default', 'cm', '10', { v: 'again' }), '10')))).toEqual(OK);
      expect(describeAnswer(await edge.send(cloudMessage('update', 'default/configmap/cm', configMap('default', 'cm', '9', { v: 'nine' }), '9')))).toEqual(OK);
      // An update arriving after the delete of a later version is stale too.
      await edge.send(cloudMessage('delete', 'default/configmap/cm', configMap('default', 'cm', '12'), '12'));
      expect(describeAnswer(await edge.send(cloudMessage('update', 'default/configmap/cm', configMap('default', 'cm', '11', { v: 'late' }), '11')))).toEqual(OK);
      expect(await edge.manager.store.get('default/configmap/cm')).toBeUndefined();

      await eventually(() => edge!.edged.length === 2);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(edge.edged.map((m) => m.header!.resourceVersion)).toEqual(['10', '12']);
      expect(await edge.counter('metamanager_changes_dropped_total', { reason: 'duplicate' })).toBe(1);
      expect(await edge.counter('metamanager_changes_dropped_total', { reason: 'stale' })).toBe(2);
      expect(await edge.counter('metamanager_changes_applied_total')).toBe(2);
    });

    it('works when edged is not running', async () => {
      edge = await startTestEdge({ dataSource: tmp.file(), edged: false });
      expect(describeAnswer(await edge.send(cloudMessage('insert', 'null/node/edge-1', { metadata: { name: 'edge-1' } }, '3')))).toEqual(OK);
      expect((await edge.manager.store.get('null/node/edge-1'))?.resourceVersion).toBe('3');
    });

    it('takes the version from the object when the header has none', async () => {
      edge = await startTestEdge({ dataSource: tmp.file() });
      await edge.send(cloudMessage('insert', 'default/secret/s', { metadata: { name: 's', namespace: 'default', resourceVersion: '77' } }, ''));
      expect((await edge.manager.store.get('default/secret/s'))?.resourceVersion).toBe('77');
    });

    const bad: [string, Message, RegExp][] = [
      ['missing metadata.name', cloudMessage('insert', 'default/pod/p', { metadata: { namespace: 'default' } }, '1'), /^content\.metadata\.name: is missing/],
      ['missing metadata', cloudMessage('insert', 'default/pod/p', { spec: {} }, '1'), /^content\.metadata: is missing/],
      ['a name that differs from the resource', cloudMessage('insert', 'default/pod/p', { metadata: { name: 'q' } }, '1'), /^content\.metadata\.name: is "q" but route\.resource names "p"/],
      ['a namespace that differs', cloudMessage('insert', 'default/pod/p', { metadata: { name: 'p', namespace: 'other' } }, '1'), /^content\.metadata\.namespace: is "other" but route\.resource says "default"/],
      ['a resourceVersion that is not a number', cloudMessage('insert', 'default/pod/p', { metadata: { name: 'p' } }, 'abc'), /^header\.resourceVersion: "abc" is not a number/],
      ['an object version that is not a number', cloudMessage('insert', 'default/pod/p', { metadata: { name: 'p', resourceVersion: 'x' } }, ''), /^content\.metadata\.resourceVersion: "x" is not a number/],
      ['no version anywhere', cloudMessage('insert', 'default/pod/p', { metadata: { name: 'p' } }, ''), /^header\.resourceVersion: is missing/],
      ['a malformed resource string', cloudMessage('insert', 'node/edge-1/default/pod/p', { metadata: { name: 'p' } }, '1'), /^route\.resource: .* looks like a cloud-side resource/],
      ['a list resource', cloudMessage('update', 'default/pod', { metadata: { name: 'p' } }, '1'), /^route\.resource: "default\/pod" names no object/],
      ['an insert without content', cloudMessage('insert', 'default/pod/p', undefined, '1'), /^content: is empty; an insert, update or patch must carry the whole object/],
      ['content that is an array', cloudMessage('insert', 'default/pod/p', [1], '1'), /^content: is a JSON array, not a Kubernetes object/],
      [
        'content that is not JSON',
        newMessage({ source: 'edgehub', group: 'resource', operation: 'insert', resource: 'default/pod/p', resourceVersion: '1', content: Buffer.from('{oops'), contentType: 'application/json' }),
        /^content: is not valid JSON/,
      ],
      [
        'content of another type',
        newMessage({ source: 'edgehub', group: 'resource', operation: 'insert', resource: 'default/pod/p', resourceVersion: '1', content: Buffer.from('x'), contentType: 'text/plain' }),
        /^content_type: is "text\/plain"; send the object as application\/json/,
      ],
    ];
    it.each(bad)('answers %s with an error naming the field, and writes nothing', async (_, message, reason) => {
      edge = await startTestEdge({ dataSource: tmp.file() });
      const answer = describeAnswer(await edge.send(message));
      expect(answer.operation).toBe('error');
      expect(answer.content).toMatchObject({ code: 'INVALID', message: expect.stringMatching(reason) });
      expect(await edge.manager.store.list({ type: 'pod' })).toEqual([]);
      expect(await edge.counter('metamanager_errors_total', { kind: 'invalid' })).toBe(1);
      expect(edge.edged).toEqual([]);
    });

    it('accepts a delete without content, and refuses an operation it does not handle', async () => {
      edge = await startTestEdge({ dataSource: tmp.file() });
      await edge.send(cloudMessage('insert', 'default/pod/p', { metadata: { name: 'p' } }, '1'));
      expect(describeAnswer(await edge.send(cloudMessage('delete', 'default/pod/p', undefined, '2')))).toEqual(OK);
      expect(await edge.manager.store.get('default/pod/p')).toBeUndefined();
      const upload = newMessage({ source: 'edged', group: 'meta', operation: 'upload', resource: 'default/pod/p' });
      expect(describeAnswer(await edge.send(upload)).content).toMatchObject({
        code: 'INVALID',
        message: expect.stringMatching(/^route\.operation: upload is not handled by metamanager/),
      });
    });

    it('keeps everything across a restart of the module on the same file', async () => {
      const file = tmp.file();
      edge = await startTestEdge({ dataSource: file });
      await edge.send(cloudMessage('insert', 'default/pod/p', { metadata: { name: 'p', namespace: 'default' } }, '4'));
      await edge.send(cloudMessage('insert', 'default/pod/q', { metadata: { name: 'q', namespace: 'default' } }, '4'));
      await edge.send(cloudMessage('delete', 'default/pod/q', undefined, '5'));
      await edge.stop();
      edge = await startTestEdge({ dataSource: file });
      const pods = describeAnswer(await edge.send(queryMessage('query', 'default/pod')));
      expect(pods.content).toEqual([{ metadata: { name: 'p', namespace: 'default' } }]);
      expect(describeAnswer(await edge.send(cloudMessage('update', 'default/pod/q', { metadata: { name: 'q' } }, '5')))).toEqual(OK);
      expect(await edge.manager.store.get('default/pod/q')).toBeUndefined();
    });
    it('answers a storage failure with an error, fails its health check, and closes the store when stopped', async () => {
      edge = await startTestEdge({ dataSource: tmp.file() });
      await expect(Promise.resolve(edge.manager.healthCheck!.check())).resolves.toBeUndefined();
      await edge.manager.close(); // the database goes away under the module
      const answer = describeAnswer(await edge.send(cloudMessage('insert', 'default/pod/p', { metadata: { name: 'p' } }, '1')));
      expect(answer).toEqual({ operation: 'error', content: { code: 'CLOSED', message: expect.stringMatching(/applying upsert of default\/pod\/p: the metamanager store is closed/) } });
      expect(() => edge!.manager.healthCheck!.check()).toThrow(/the last write to the local store failed/);
      expect(await edge.counter('metamanager_errors_total', { kind: 'storage' })).toBe(1);

      const file = tmp.file();
      const second = await startTestEdge({ dataSource: file });
      await second.stop();
      await expect(second.manager.store.get('default/pod/p')).rejects.toMatchObject({ code: 'CLOSED' });
    });
  });

  describe('queries', () => {
    const cloudConfigMap = configMap('default', 'cm', '50', { from: 'cloud' });
    const answerFromCloud = (ctx: import('../../pkg/modules').ModuleContext, query: Message) =>
      ctx.respond(newResponse(query, jsonContent(query.route!.resource.endsWith('/cm') ? cloudConfigMap : [cloudConfigMap])));

    it('answers from the store while the cloud is not connected; a missing object is an error saying so', async () => {
      edge = await startTestEdge({ dataSource: tmp.file(), hub: answerFromCloud });
      await edge.send(cloudMessage('insert', 'default/configmap/cm', configMap('default', 'cm', '5', { from: 'store' }), '5'));
      expect(describeAnswer(await edge.send(queryMessage('get', 'default/configmap/cm'))).content).toMatchObject({ data: { from: 'store' } });
      expect(describeAnswer(await edge.send(queryMessage('list', 'default/configmap'))).content).toHaveLength(1);
      expect(describeAnswer(await edge.send(queryMessage('list', 'default/secret'))).content).toEqual([]);
      const missing = describeAnswer(await edge.send(queryMessage('query', 'default/configmap/nope')));
      expect(missing).toEqual({
        operation: 'error',
        content: { code: 'NOT_FOUND', message: 'default/configmap/nope not found locally (the cloud is not connected)' },
      });
      expect(edge.hub).toEqual([]);
      expect(await edge.counter('metamanager_queries_total', { source: 'store' })).toBe(3);
    });

    it('asks the cloud while connected, stores the answer, and answers from the store again once disconnected', async () => {
      edge = await startTestEdge({ dataSource: tmp.file(), hub: answerFromCloud });
      await edge.runtime.send('metamanager', connectMessage('cloud_connected'));
      const query = queryMessage('get', 'default/configmap/cm');
      expect(describeAnswer(await edge.send(query)).content).toEqual(cloudConfigMap);
      expect(edge.hub).toHaveLength(1);
      expect(edge.hub[0]!.header!.id).not.toBe(query.header!.id);
      expect(edge.hub[0]!.route).toMatchObject({ source: 'metamanager', group: 'resource', operation: Operation.OPERATION_GET, resource: 'default/configmap/cm' });
      expect((await edge.manager.store.get('default/configmap/cm'))?.resourceVersion).toBe('50');
      expect(await edge.counter('metamanager_queries_total', { source: 'cloud' })).toBe(1);

      await edge.runtime.send('metamanager', connectMessage('cloud_disconnected'));
      expect(describeAnswer(await edge.send(queryMessage('get', 'default/configmap/cm'))).content).toEqual(cloudConfigMap);
      expect(edge.hub).toHaveLength(1);
    });

    it('stores the items of a list answer, and never lets a cloud answer overwrite a newer pushed version', async () => {
      edge = await startTestEdge({ dataSource: tmp.file(), hub: answerFromCloud });
      await edge.send(cloudMessage('insert', 'default/configmap/other', configMap('default', 'other', '60'), '60'));
      await edge.runtime.send('metamanager', connectMessage('cloud_connected'));
      expect(describeAnswer(await edge.send(queryMessage('list', 'default/configmap'))).content).toEqual([cloudConfigMap]);
      expect((await edge.manager.store.get('default/configmap/cm'))?.resourceVersion).toBe('50');

      await edge.send(cloudMessage('update', 'default/configmap/cm', configMap('default', 'cm', '70', { from: 'push' }), '70'));
      expect(describeAnswer(await edge.send(queryMessage('get', 'default/configmap/cm'))).content).toEqual(cloudConfigMap);
      expect(JSON.parse((await edge.manager.store.get('default/configmap/cm'))!.json).data).toEqual({ from: 'push' });
    });

    it('takes a connect message whose content is the bare text, as KubeEdge sends it', async () => {
      edge = await startTestEdge({ dataSource: tmp.file(), hub: answerFromCloud });
      const connect = connectMessage('cloud_connected');
      await edge.runtime.send('metamanager', { ...connect, content: Buffer.from('cloud_connected'), contentType: '' });
      expect(describeAnswer(await edge.send(queryMessage('get', 'default/configmap/cm'))).content).toEqual(cloudConfigMap);
      expect(edge.hub).toHaveLength(1);
    });

    it('answers pods from the store even while connected (the cloud pushes them)', async () => {
      edge = await startTestEdge({ dataSource: tmp.file(), hub: answerFromCloud });
      await edge.runtime.send('metamanager', connectMessage('cloud_connected'));
      await edge.send(cloudMessage('insert', 'default/pod/p', { metadata: { name: 'p' } }, '1'));
      expect(describeAnswer(await edge.send(queryMessage('query', 'default/pod'))).content).toEqual([{ metadata: { name: 'p' } }]);
      expect(edge.hub).toEqual([]);
    });

    it('lists one type in every namespace for /<type>, from the store even while connected', async () => {
      edge = await startTestEdge({ dataSource: tmp.file(), hub: answerFromCloud });
      await edge.runtime.send('metamanager', connectMessage('cloud_connected'));
      await edge.send(cloudMessage('insert', 'default/pod/a', { metadata: { name: 'a', namespace: 'default' } }, '1'));
      await edge.send(cloudMessage('insert', 'apps/pod/b', { metadata: { name: 'b', namespace: 'apps' } }, '2'));
      await edge.send(cloudMessage('insert', 'apps/configmap/c', configMap('apps', 'c', '3'), '3'));
      expect(describeAnswer(await edge.send(queryMessage('list', '/pod'))).content).toEqual([
        { metadata: { name: 'b', namespace: 'apps' } },
        { metadata: { name: 'a', namespace: 'default' } },
      ]);
      expect(describeAnswer(await edge.send(queryMessage('query', '/configmap'))).content).toEqual([configMap('apps', 'c', '3')]);
      expect(describeAnswer(await edge.send(queryMessage('list', '/secret'))).content).toEqual([]);
      expect(edge.hub).toEqual([]);
      const get = describeAnswer(await edge.send(queryMessage('get', '/pod')));
      expect(get).toEqual({ operation: 'error', content: { code: 'INVALID', message: expect.stringMatching(/^route\.resource: a get names one object/) } });
    });

    it('answers from the store when the cloud does not answer in time', async () => {
      edge = await startTestEdge({ dataSource: tmp.file(), hub: () => {}, queryTimeoutMs: 200 });
      await edge.send(cloudMessage('insert', 'default/configmap/cm', configMap('default', 'cm', '5', { from: 'store' }), '5'));
      await edge.runtime.send('metamanager', connectMessage('cloud_connected'));
      const startedAt = Date.now();
      expect(describeAnswer(await edge.send(queryMessage('get', 'default/configmap/cm'))).content).toMatchObject({ data: { from: 'store' } });
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(190);
      const missing = describeAnswer(await edge.send(queryMessage('get', 'default/configmap/nope')));
      expect(missing.content).toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/not found locally \(the cloud did not answer: no response from module "edgehub"/) });
      expect(await edge.counter('metamanager_remote_query_fallbacks_total', { reason: 'timeout' })).toBe(2);
    });

    it('answers from the store when the cloud answers an error, or edgehub is not there', async () => {
      edge = await startTestEdge({
        dataSource: tmp.file(),
        hub: (ctx, query) => ctx.respond(newErrorResponse(query, new MetaError('NOT_FOUND', 'configmaps "nope" not found'))),
      });
      await edge.runtime.send('metamanager', connectMessage('cloud_connected'));
      const missing = describeAnswer(await edge.send(queryMessage('get', 'default/configmap/nope')));
      expect(missing.content).toEqual({
        code: 'NOT_FOUND',
        message: 'default/configmap/nope not found locally (the cloud did not answer: configmaps "nope" not found)',
      });
      await edge.stop();

      edge = await startTestEdge({ dataSource: tmp.file() }); // no edgehub module at all
      await edge.runtime.send('metamanager', connectMessage('cloud_connected'));
      await edge.send(cloudMessage('insert', 'default/secret/s', { metadata: { name: 's' } }, '1'));
      expect(describeAnswer(await edge.send(queryMessage('get', 'default/secret/s'))).content).toEqual({ metadata: { name: 's' } });
      expect(await edge.counter('metamanager_remote_query_fallbacks_total', { reason: 'error' })).toBe(1);
    });

    it('does not wait for a slow cloud query before applying pushed changes', async () => {
      let release: (() => void) | undefined;
      edge = await startTestEdge({
        dataSource: tmp.file(),
        hub: (ctx, query) => (release = () => ctx.respond(newResponse(query, jsonContent(cloudConfigMap)))),
      });
      await edge.runtime.send('metamanager', connectMessage('cloud_connected'));
      const slow = edge.send(queryMessage('get', 'default/configmap/cm'));
      await eventually(() => release !== undefined);
      expect(describeAnswer(await edge.send(cloudMessage('insert', 'default/pod/p', { metadata: { name: 'p' } }, '1')))).toEqual(OK);
      release!();
      expect(describeAnswer(await slow).content).toEqual(cloudConfigMap);
    });

    it.each([
      ['get', 'default/configmap', /^route\.resource: a get names one object/],
      ['list', 'default/configmap/cm', /^route\.resource: a list names <namespace>\/<type>, not one object/],
      ['query', '', /^route\.resource: is empty/],
      ['query', 'Default/configmap', /^route\.resource: namespace "Default" is not a namespace name/],
    ] as const)('answers a malformed %s of %j with an error naming the field', async (operation, resource, reason) => {
      edge = await startTestEdge({ dataSource: tmp.file() });
      const answer = describeAnswer(await edge.send(queryMessage(operation, resource)));
      expect(answer).toEqual({ operation: 'error', content: { code: 'INVALID', message: expect.stringMatching(reason) } });
    });
  });
});
