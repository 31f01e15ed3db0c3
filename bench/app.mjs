// The bench's Nest app (its own process): the same callback twice, once behind
// LogupGuard and once hand-written (raw node:http to /verification with a cached
// token) — the honest baseline for what the guard costs a route.
import 'reflect-metadata';
import { Agent, request } from 'node:http';
import { Controller, Get, HttpException, Module, Query, UseGuards } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { LogupGuard, LogupModule, Subscription } from 'nestjs-logup';

const { LOGUP_BASE_URL: baseUrl, LOGUP_ID_GATE: idGate, LOGUP_SECRET: secret } = process.env;
const agent = new Agent({ keepAlive: true, maxSockets: 32 });

function post(path, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = request(
      `${baseUrl}/v1_1${path}`,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}
let token;
const bearer = async () => {
  token ??= post('/oauth/token', { client_id: idGate, client_secret: secret, grant_type: 'client_credentials' }).then(
    (r) => ({ authorization: `Bearer ${r.body.access_token}` }),
  );
  return token;
};

// Plain JavaScript has no decorator syntax on Node 20: apply them as functions.
class BenchController {
  guarded(idSubscription) {
    return { idSubscription };
  }

  async raw(logupToken, isNewUser) {
    if (
      typeof logupToken !== 'string' ||
      !/^[A-Za-z0-9._~+/=-]{16,2048}$/.test(logupToken) ||
      !['true', 'false'].includes(isNewUser)
    ) {
      throw new HttpException('bad callback', 400);
    }
    const { status, body } = await post('/verification', { logupToken }, await bearer());
    if (status < 200 || status > 299 || body.verified !== true) throw new HttpException('not verified', 401);
    return { idSubscription: body.idSubscription };
  }
}
const proto = BenchController.prototype;
const method = (name, decorators) =>
  Reflect.decorate(decorators, proto, name, Object.getOwnPropertyDescriptor(proto, name));
method('guarded', [Get('logup/callback'), UseGuards(LogupGuard)]);
Subscription('idSubscription')(proto, 'guarded', 0);
method('raw', [Get('raw/callback')]);
Query('logupToken')(proto, 'raw', 0);
Query('isNewUser')(proto, 'raw', 1);
Reflect.decorate([Controller()], BenchController);

class BenchModule {}
Reflect.decorate(
  [
    Module({
      imports: [LogupModule.forRoot({ idGate, secret, baseUrl, sessionKey: false })],
      controllers: [BenchController],
    }),
  ],
  BenchModule,
);

const app = await NestFactory.create(BenchModule, { logger: ['error', 'warn'] });
await app.listen(0, '127.0.0.1');
process.stdout.write(`bench app listening on ${(await app.getUrl()).replace('[::1]', '127.0.0.1')}\n`);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
