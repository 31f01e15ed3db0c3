import { HttpService } from '@nestjs/axios';
import axios from 'axios';
import type { LogupModuleOptions } from 'nestjs-logup';

// Every call to LogUp through a forward proxy (e.g. HTTPS_PROXY): axios settings for
// the module's own HttpService. Timeouts, retries, limits and secret hygiene stay.
export function viaProxy(proxyUrl: string): Pick<LogupModuleOptions, 'httpModuleOptions'> {
  const { protocol, hostname, port } = new URL(proxyUrl);
  return { httpModuleOptions: { proxy: { protocol: protocol.slice(0, -1), host: hostname, port: Number(port) } } };
}

// Or the app's own HttpService: its defaults and interceptors apply to every call
// (an interceptor also sees the token request, and so the gate secret: never log it).
export function withOwnClient(proxyUrl: string): Pick<LogupModuleOptions, 'httpService'> {
  const instance = axios.create({ ...viaProxy(proxyUrl).httpModuleOptions, headers: { 'x-team': 'checkout' } });
  return { httpService: new HttpService(instance) };
}
