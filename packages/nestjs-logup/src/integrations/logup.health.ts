import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { LOGUP_SERVICE } from '../logup.constants.js';
import { isLogupError } from '../errors/logup.errors.js';
import { LogupService } from '../logup.service.js';

/**
 * A `@nestjs/terminus` health indicator: `up` when LogUp answers and accepts the
 * gate credentials, `down` with the reason otherwise. Cheap to probe often: LogUp is
 * reached at most once per `healthCheckIntervalMs` (default 30 s) per process, the
 * token it fetches serves every other call, and between probes the last result is
 * reported. Import `TerminusModule` and list `LogupHealthIndicator` as a provider.
 * @example
 * ```ts
 * @Get('health') @HealthCheck()
 * check() { return this.health.check([() => this.logup.isHealthy('logup')]); }
 * ```
 */
@Injectable()
export class LogupHealthIndicator {
  constructor(
    @Inject(LOGUP_SERVICE) private readonly logup: LogupService,
    private readonly healthIndicatorService: HealthIndicatorService,
  ) {}

  /** @param key the name of this check in the health report. Default `'logup'`. */
  async isHealthy<const Key extends string = 'logup'>(key: Key = 'logup' as Key): Promise<HealthIndicatorResult<Key>> {
    const indicator = this.healthIndicatorService.check(key);
    try {
      const { latencyMs, checkedAt, cached } = await this.logup.checkConnection();
      return indicator.up({ latencyMs, checkedAt: new Date(checkedAt).toISOString(), cached });
    } catch (error) {
      if (!isLogupError(error)) throw error;
      return indicator.down({ code: error.code, message: error.message });
    }
  }
}
