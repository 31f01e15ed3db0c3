import { Controller, Get, Module } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { LogupHealthIndicator } from 'nestjs-logup/health';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly logup: LogupHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.logup.isHealthy('logup')]);
  }
}

@Module({ imports: [TerminusModule], controllers: [HealthController], providers: [LogupHealthIndicator] })
export class HealthModule {}
