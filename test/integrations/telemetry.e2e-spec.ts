import { metrics, trace } from '@opentelemetry/api';
import { MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import type { INestApplicationContext } from '@nestjs/common';
import type { LogupEmulator } from 'logup-emulator';
import type { LogupService } from 'nestjs-logup';
import { GATE, email, emulator, logupContext } from '../support/logup-fixture.js';
import { registerTelemetry } from '../../examples/opentelemetry/telemetry.setup.js';

/** A reader the test collects from on demand. */
class TestReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** Sum of a counter's points matching the attributes. */
function sumOf(collected: ResourceMetrics, name: string, attributes: Record<string, unknown> = {}): number {
  let sum = 0;
  for (const scope of collected.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== name) continue;
      for (const point of metric.dataPoints) {
        if (Object.entries(attributes).every(([k, v]) => point.attributes[k] === v)) {
          sum += typeof point.value === 'number' ? point.value : (point.value as { count: number }).count;
        }
      }
    }
  }
  return sum;
}

const spans = new InMemorySpanExporter();
const reader = new TestReader();
let emu: LogupEmulator;
let ctx: { app: INestApplicationContext; logup: LogupService };

beforeAll(async () => {
  registerTelemetry(spans, reader); // before the app starts
  emu = await emulator();
  ctx = await logupContext(emu, { retry: { minDelayMs: 1 } });
});
afterAll(async () => {
  await ctx?.app.close();
  await emu?.stop();
  trace.disable();
  metrics.disable();
});

/**
 * Logs in (with a secret in the db) and makes one call of each kind: a read retried
 * once after a 503, an update, a delete and a read LogUp rejects. Returns the login.
 */
async function callEveryOperation(): Promise<{ logupToken: string }> {
  const login = emu.login({ idGate: GATE.idGate, email: email('otel'), db: { plan: 'pro-secret-value' } });
  const result = await ctx.logup.verify(login.logupToken, true);
  if (!result.verified) throw new Error('not verified');
  emu.fault({ kind: 'status', status: 503, endpoint: 'db-read', count: 1 });
  await result.subscription.getDb();
  await result.subscription.updateDb({ seats: 3 });
  await result.subscription.deleteDbValues(['seats']);
  await expect(ctx.logup.subscription('sub_missing').getDb()).rejects.toThrow();
  return login;
}

describe('OpenTelemetry spans and metrics, through @opentelemetry/api', () => {
  it('gives every call a span with operation, status, attempts and outcome, and nothing secret', async () => {
    const login = await callEveryOperation();

    const finished = spans.getFinishedSpans();
    const byName = (name: string) => finished.filter((span) => span.name === name);
    expect(byName('logup.token')).toHaveLength(1);
    expect(byName('logup.verify')[0].attributes).toEqual({
      'logup.operation': 'verification',
      'logup.outcome': 'ok',
      'logup.attempts': 1,
      'http.response.status_code': 201,
    });
    const reads = byName('logup.db.read');
    expect(reads[0].attributes).toMatchObject({
      'logup.attempts': 2,
      'logup.outcome': 'ok',
      'http.response.status_code': 200,
    });
    expect(reads.at(-1)!.attributes).toMatchObject({ 'logup.outcome': 'rejected', 'http.response.status_code': 404 });
    expect(byName('logup.db.update')).toHaveLength(1);
    expect(byName('logup.db.delete')).toHaveLength(1);
    const everything = JSON.stringify(finished.map((span) => [span.name, span.attributes, span.status, span.events]));
    for (const secret of [GATE.secret, login.logupToken, 'pro-secret-value']) expect(everything).not.toContain(secret);
  });

  it('marks a call that could not be made as an error, with the library error code', async () => {
    emu.fault({ kind: 'status', status: 503, endpoint: 'db-read', count: 5 });
    await expect(ctx.logup.subscription('sub_down').getDb()).rejects.toThrow();
    const last = spans.getFinishedSpans().at(-1)!;
    expect(last.name).toBe('logup.db.read');
    expect(last.attributes).toMatchObject({
      'logup.outcome': 'error',
      'logup.error.code': 'LOGUP_UNAVAILABLE',
      'logup.attempts': 3,
    });
    emu.clearFaults();
  });

  it('counts calls, retries and token grants, and records durations', async () => {
    const { resourceMetrics } = await reader.collect();
    expect(sumOf(resourceMetrics, 'logup.token.grants')).toBe(1);
    expect(sumOf(resourceMetrics, 'logup.retries', { 'logup.operation': 'getDb' })).toBe(3);
    expect(sumOf(resourceMetrics, 'logup.calls', { 'logup.operation': 'verification', 'logup.outcome': 'ok' })).toBe(1);
    expect(sumOf(resourceMetrics, 'logup.calls', { 'logup.operation': 'getDb', 'logup.outcome': 'rejected' })).toBe(1);
    expect(sumOf(resourceMetrics, 'logup.call.duration', { 'logup.operation': 'updateDb' })).toBe(1);
  });
});
