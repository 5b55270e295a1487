import type { RuleAction, RuleConfig } from '../../config/rules.js';
import type { Logger } from '../../observability/logger.js';
import type { Clock } from '../../shared/clock.js';
import type { GatewayEvent } from '../../shared/events.js';
import type { Bus, EventOf } from '../../shared/extension.js';
import type { ScreenData } from '../../shared/screen.js';
import { compileFilter, type EventMatcher, type ProductLookup, productsOf, tagsOf } from './match.js';
import { RateLimit } from './rate-limit.js';
import { Threshold } from './threshold.js';

export interface RuleStats {
  fired: number;
  suppressed: number;
  failed: number;
}

export interface RuleDeps {
  bus: Bus;
  clock: Clock;
  logger: Logger;
  products: ProductLookup;
}

interface CompiledRule {
  config: RuleConfig;
  matches: EventMatcher;
  limit: RateLimit | undefined;
  /** `above`/`below`: fires on a crossing (after `forMs`), not on every matching event. */
  threshold: Threshold | undefined;
  stats: RuleStats;
}

/**
 * The rules of the config (and the default ones): on an event of their types that passes their
 * filter and rate limit, they pulse or set actuators, show screens and publish messages. A rule's
 * action that fails is logged and counted, never thrown: a buzzer that is unplugged must not stop
 * the readers, the purchases, nor the other actions of the same rule.
 */
export class RuleEngine {
  private readonly rules: CompiledRule[];
  private unsubscribe: (() => void) | undefined;

  constructor(
    rules: readonly RuleConfig[],
    private readonly deps: RuleDeps,
  ) {
    this.rules = rules
      .filter((rule) => rule.enabled)
      .map((config) => {
        const rule: CompiledRule = {
          config,
          matches: compileFilter(config.when, deps.products),
          limit: config.rateLimit ? new RateLimit(config.rateLimit.count, config.rateLimit.perMs) : undefined,
          threshold: undefined,
          stats: { fired: 0, suppressed: 0, failed: 0 },
        };
        rule.threshold = Threshold.of(config.when, deps.clock, (event) => this.fire(rule, event));
        return rule;
      });
  }

  get stats(): Record<string, RuleStats> {
    return Object.fromEntries(this.rules.map((rule) => [rule.config.id, { ...rule.stats }]));
  }

  start(): void {
    const types = [...new Set(this.rules.flatMap((rule) => rule.config.on))];
    if (types.length === 0) return;
    this.unsubscribe = this.deps.bus.on('rules', types as GatewayEvent['type'][], (event) =>
      this.onEvent(event),
    );
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const rule of this.rules) rule.threshold?.stop();
  }

  private onEvent(event: EventOf<GatewayEvent['type']>): void {
    for (const rule of this.rules) {
      try {
        if (!rule.config.on.includes(event.type) || !rule.matches(event)) continue;
        if (rule.threshold) rule.threshold.observe(event);
        else this.fire(rule, event);
      } catch (error) {
        this.fail(rule, event, error);
      }
    }
  }

  /** Runs the rule's actions for `event`, within its rate limit; never throws. */
  private fire(rule: CompiledRule, event: GatewayEvent): void {
    try {
      if (rule.limit && rule.config.rateLimit) {
        const key = rule.config.rateLimit.per === 'tag' ? (tagsOf(event)[0] ?? '') : '';
        if (!rule.limit.take(key, this.deps.clock.now())) {
          rule.stats.suppressed += 1;
          return;
        }
      }
      rule.stats.fired += 1;
      this.deps.logger.debug({ rule: rule.config.id, seq: event.seq, type: event.type }, 'rule fired');
      for (const action of rule.config.do) this.run(rule, action, event);
    } catch (error) {
      this.fail(rule, event, error);
    }
  }

  private run(rule: CompiledRule, action: RuleAction, event: GatewayEvent): void {
    const { bus } = this.deps;
    const reason = `rule ${rule.config.id}`;
    let work: Promise<void>;
    if ('pulse' in action) {
      const { actuator, value, ms } = action.pulse;
      work = bus.command('actuator.set', { actuator, value, pulseMs: ms, reason });
    } else if ('set' in action) {
      work = bus.command('actuator.set', { ...action.set, reason });
    } else if ('show' in action) {
      const { display, template, forMs } = action.show;
      work = bus.command('display.show', {
        display,
        template,
        data: this.screenData(event),
        ...(forMs === undefined ? {} : { forMs }),
      });
    } else {
      const { topic, payload, retain, qos } = action.publish;
      const text = JSON.stringify(payload === undefined ? event : payload);
      work = bus.command('mqtt.publish', { topic, payload: text, qos, retain });
    }
    work.catch((error: unknown) => this.fail(rule, event, error));
  }

  /** What a screen shown by a rule says: the event's product and tag, and why (an alarm's kind). */
  private screenData(event: GatewayEvent): ScreenData {
    const product = productsOf(event, this.deps.products)[0];
    const tag = tagsOf(event)[0];
    const data: ScreenData = {
      ...(tag === undefined ? {} : { tag }),
      ...(product?.name === undefined ? {} : { product: product.name }),
      ...(event.type === 'security.alarm' ? { reason: event.kind } : {}),
      ...('cabinet' in event && typeof event.cabinet === 'string' ? { cabinet: event.cabinet } : {}),
    };
    if (event.type === 'purchase.completed') {
      return { ...data, items: event.items, total: event.total, currency: event.currency };
    }
    return data;
  }

  private fail(rule: CompiledRule, event: GatewayEvent, error: unknown): void {
    rule.stats.failed += 1;
    this.deps.logger.warn(
      { err: error, rule: rule.config.id, seq: event.seq, type: event.type },
      'rule action failed',
    );
  }
}
