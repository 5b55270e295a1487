import { describe, expect, it } from 'vitest';
import { checkTopicId, createTopics, groupTopics } from './topics.js';

describe('createTopics', () => {
  const topics = createTopics('rfid', 'gw1');

  it('lays out every topic of DESIGN.md under <baseTopic>/<gatewayId>', () => {
    expect(topics.base).toBe('rfid/gw1');
    expect(topics.status).toBe('rfid/gw1/status');
    expect(topics.metrics).toBe('rfid/gw1/metrics');
    expect(topics.event('tag.arrived')).toBe('rfid/gw1/events/tag/arrived');
    expect(topics.event('purchase.completed')).toBe('rfid/gw1/events/purchase/completed');
    expect(topics.inventory('fridge')).toBe('rfid/gw1/inventory/fridge');
    expect(topics.reader('door')).toBe('rfid/gw1/readers/door');
    expect(topics.request('inventory/get')).toBe('rfid/gw1/request/inventory/get');
    expect(topics.response('inventory/get')).toBe('rfid/gw1/response/inventory/get');
    expect(topics.requestFilter).toBe('rfid/gw1/request/#');
  });

  it('accepts a base topic with levels', () => {
    expect(createTopics('shop-7/rfid', 'gw1').status).toBe('shop-7/rfid/gw1/status');
  });

  it('reads the command back from a request topic', () => {
    expect(topics.commandOf('rfid/gw1/request/ping')).toBe('ping');
    expect(topics.commandOf('rfid/gw1/request/readers/restart')).toBe('readers/restart');
    expect(topics.commandOf('rfid/gw1/request/')).toBeUndefined();
    expect(topics.commandOf('rfid/gw1/request/a//b')).toBeUndefined();
    expect(topics.commandOf('rfid/gw2/request/ping')).toBeUndefined();
    expect(topics.commandOf('rfid/gw1/response/ping')).toBeUndefined();
  });

  it.each(['', 'a/b', 'a+', '#', 'x\u0000'])('refuses the id %j', (id) => {
    expect(() => checkTopicId('zone', id)).toThrow(TypeError);
    expect(() => createTopics('rfid', id)).toThrow(/gatewayId/);
    expect(() => topics.inventory(id)).toThrow(/zone/);
    expect(() => topics.reader(id)).toThrow(/reader id/);
  });

  it('refuses wildcards and empty levels in base topics, commands and event types', () => {
    expect(() => createTopics('rfid/', 'gw1')).toThrow(/empty level/);
    expect(() => createTopics('/rfid', 'gw1')).toThrow(/empty level/);
    expect(() => createTopics('rfid/+', 'gw1')).toThrow(/baseTopic/);
    expect(() => topics.request('inventory/#')).toThrow(/command/);
    expect(() => topics.response('a//b')).toThrow(/command/);
    expect(() => topics.event('tag..arrived')).toThrow(/event type/);
    expect(() => topics.event('tag/arrived')).toThrow(/event type/);
  });
});

describe('group topics', () => {
  it('puts each group of the gateway under <baseTopic>/groups/<group>, answers under the gateway id', () => {
    const topics = createTopics('shop/rfid', 'gw1', ['north', 'store-12']);
    expect(topics.groups.map((group) => group.requestFilter)).toEqual([
      'shop/rfid/groups/north/request/#',
      'shop/rfid/groups/store-12/request/#',
    ]);
    const [north] = topics.groups;
    expect(north?.group).toBe('north');
    expect(north?.base).toBe('shop/rfid/groups/north');
    expect(north?.requestPrefix).toBe('shop/rfid/groups/north/request/');
    expect(north?.response('catalog/set')).toBe('shop/rfid/groups/north/response/gw1/catalog/set');
    expect(createTopics('rfid', 'gw1').groups).toEqual([]);
  });

  it('refuses a group name that is not one topic level', () => {
    expect(() => groupTopics('rfid', 'gw1', 'north/east')).toThrow(/group "north\/east" must not contain/);
    expect(() => groupTopics('rfid', 'gw1', '+')).toThrow(/must not contain/);
    expect(() => groupTopics('rfid', 'gw1', 'north').response('a/#')).toThrow(/must not contain/);
  });
});
