import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { startEmulator, type LogupEmulator } from 'logup-emulator';
import { LogupGuard, LogupValidationError } from 'nestjs-logup';
import { LogupTestGuard, createTestSubscription } from 'nestjs-logup/testing';
import { AccountController } from '../account.controller.js';
import { AppModule } from '../app.module.js';

let emulator: LogupEmulator;
let app: INestApplication;
let url: string;

before(async () => {
  emulator = await startEmulator({ port: 0, gates: { gate_consumer: 'consumer-secret-value' } });
  Object.assign(process.env, {
    LOGUP_ID_GATE: 'gate_consumer',
    LOGUP_SECRET: 'consumer-secret-value',
    LOGUP_BASE_URL: emulator.url,
  });
  app = await NestFactory.create(AppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  url = await app.getUrl();
});

after(async () => {
  await app?.close();
  await emulator?.stop();
});

void test('a verified visitor reaches the guarded route and their DB', async () => {
  const login = emulator.login({ idGate: 'gate_consumer', email: 'consumer@example.com', db: { visits: 4 } });
  const res = await fetch(`${url}/me?logupToken=${login.logupToken}&isNewUser=false`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), {
    idSubscription: login.idSubscription,
    idActor: login.idActor,
    isNewUser: false,
    db: { visits: 5 },
  });
});

void test('bad input is a 400, a used token a 401, no token a 401', async () => {
  const login = emulator.login({ idGate: 'gate_consumer', email: 'again@example.com' });
  assert.equal((await fetch(`${url}/me?logupToken=${login.logupToken}&isNewUser=maybe`)).status, 400);
  assert.equal((await fetch(`${url}/me?logupToken=${login.logupToken}&isNewUser=true`)).status, 200);
  assert.equal((await fetch(`${url}/me?logupToken=${login.logupToken}&isNewUser=true`)).status, 401);
  assert.equal((await fetch(`${url}/me`)).status, 401);
});

void test('LogUp down is a 503', async () => {
  emulator.fault({ kind: 'status', status: 503, endpoint: 'verification' });
  const login = emulator.login({ idGate: 'gate_consumer', email: 'down@example.com' });
  assert.equal((await fetch(`${url}/me?logupToken=${login.logupToken}&isNewUser=true`)).status, 503);
});

void test('the testing kit replaces the guard without a server', async () => {
  const moduleRef = await Test.createTestingModule({ controllers: [AccountController] })
    .overrideGuard(LogupGuard)
    .useValue(new LogupTestGuard(createTestSubscription({ idSubscription: 'sub_kit', db: { visits: 1 } })))
    .compile();
  const unit = moduleRef.createNestApplication({ logger: false });
  await unit.listen(0, '127.0.0.1');
  const res = await fetch(`${await unit.getUrl()}/me`);
  assert.deepEqual(await res.json(), {
    idSubscription: 'sub_kit',
    idActor: 'acr_test',
    isNewUser: false,
    db: { visits: 2 },
  });
  await unit.close();
  await assert.rejects(createTestSubscription().updateDb({ ['k'.repeat(33)]: 1 }), LogupValidationError);
});
