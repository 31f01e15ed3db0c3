import { metrics, trace } from '@opentelemetry/api';
import { MeterProvider, type MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';

// Call it before NestFactory.create(): nestjs-logup creates its counters and histogram
// through @opentelemetry/api when the app boots, and a meter provider registered later
// does not reach them. Without any registration, every span and metric is a no-op.
export function registerTelemetry(exporter: SpanExporter, reader: MetricReader): void {
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
}
