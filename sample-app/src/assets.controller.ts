import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Controller, Get, Header } from '@nestjs/common';

const PUBLIC = join(dirname(fileURLToPath(import.meta.url)), '..', 'public');
const STYLESHEET = readFileSync(join(PUBLIC, 'app.css'), 'utf8');
const FAVICON = readFileSync(join(PUBLIC, 'favicon.svg'), 'utf8');
const LIVE_SCRIPT = readFileSync(join(PUBLIC, 'live.js'), 'utf8');

/** The site's static files, read once at start-up. */
@Controller()
export class AssetsController {
  /** The only stylesheet (the CSP allows no inline style); cacheable, unlike the pages. */
  @Get('app.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=300')
  stylesheet() {
    return STYLESHEET;
  }

  /** The site's icon (layout.hbs links it), so browsers do not ask for a missing /favicon.ico. */
  @Get('favicon.svg')
  @Header('Content-Type', 'image/svg+xml')
  @Header('Cache-Control', 'public, max-age=86400')
  favicon() {
    return FAVICON;
  }

  /** The account page's live updates (the CSP allows no inline script). */
  @Get('live.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=300')
  liveScript() {
    return LIVE_SCRIPT;
  }
}
