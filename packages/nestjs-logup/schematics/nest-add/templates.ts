import type { LogupProject } from './project.js';

// The files `nest add nestjs-logup` writes into <sourceRoot>/logup/, formatted as
// prettier formats a `nest new` app (single quotes, trailing commas, 80 columns).

/** The readers at the top of the `logup` config factory: each problem is collected, naming the variable. */
const CONFIG_READERS = `  const env = process.env;
  const problems: string[] = [];
  const required = (name: string): string => {
    const value = env[name]?.trim() ?? '';
    if (!value) problems.push(\`\${name} is required\`);
    return value;
  };
  const url = (name: string, value: string): string => {
    if (value && !URL.canParse(value)) {
      problems.push(\`\${name} must be an absolute URL\`);
    }
    return value;
  };
`;

/** `logup.config.ts`: the `logup` config namespace, its environment checked at boot. */
export function configFile(project: LogupProject): string {
  const salt =
    project.session === '@fastify/secure-session'
      ? `  const sessionSalt = required('SESSION_SALT');
  if (sessionSalt && sessionSalt.length !== 16) {
    problems.push('SESSION_SALT must be exactly 16 characters');
  }
`
      : '';
  return `import { registerAs } from '@nestjs/config';

/**
 * The \`logup\` config namespace: what the LogUp login needs from the
 * environment (see .env.example). Checked when the app boots: every problem is
 * listed at once, naming the variable, never showing its value.
 */
export default registerAs('logup', () => {
${CONFIG_READERS}  const idGate = required('LOGUP_ID_GATE');
  const secret = required('LOGUP_SECRET');
  const loginUrl = url('LOGUP_LOGIN_URL', required('LOGUP_LOGIN_URL'));
  const baseUrl = url('LOGUP_BASE_URL', env.LOGUP_BASE_URL?.trim() ?? '');
  const sessionSecret = required('SESSION_SECRET');
  if (sessionSecret && sessionSecret.length < 32) {
    problems.push('SESSION_SECRET must be at least 32 characters');
  }
${salt}  if (problems.length > 0) {
    throw new Error(
      \`Invalid LogUp environment (see .env.example):\\n- \${problems.join('\\n- ')}\`,
    );
  }
  return {
    idGate,
    secret,
    /** LogUp's hosted login page, as LogUp's console gives it. */
    loginUrl,
    /** Unset: the real LogUp; the emulator's URL in tests and local runs. */
    baseUrl: baseUrl || undefined,
    sessionSecret,
${salt ? '    sessionSalt,\n' : ''}    /** Session cookies only over HTTPS in production. */
    secureCookies: env.NODE_ENV === 'production',
  };
});
`;
}

/** `logup-auth.module.ts`: LogupModule.forRootAsync from the `logup` namespace, and the controller. */
export function moduleFile(project: LogupProject): string {
  return `import { Module } from '@nestjs/common';
import { ConfigModule, type ConfigType } from '@nestjs/config';
import { LogupModule } from 'nestjs-logup';
import logupConfig from './logup.config${project.ext}';
import { LogupController } from './logup.controller${project.ext}';

/** LogUp login for this app: the module (global), configured from \`logup\`. */
@Module({
  imports: [
    ConfigModule.forFeature(logupConfig),
    LogupModule.forRootAsync({
      isGlobal: true,
      imports: [ConfigModule.forFeature(logupConfig)],
      inject: [logupConfig.KEY],
      useFactory: (config: ConfigType<typeof logupConfig>) => ({
        idGate: config.idGate,
        secret: config.secret,
        baseUrl: config.baseUrl,
        // Browsers without a login are sent to the login page below.
        loginUrl: '/logup/login',
      }),
    }),
  ],
  controllers: [LogupController],
})
export class LogupAuthModule {}
`;
}

const LOGIN_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Log in</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<form method="post" action="/logup/login">
<button type="submit">Log in with LogUp</button>
</form>
</body>
</html>
`;

/** The imports of `logup.controller.ts`. */
const CONTROLLER_IMPORTS = `import {
  Controller,
  Get,
  Header,
  HttpCode,
  HttpStatus,
  Inject,
  Post,
  Redirect,
  Req,
  UseGuards,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import {
  CurrentSubscription,
  LogupGuard,
  LogupService,
  type LogupSubscription,
} from 'nestjs-logup';
`;

/** The class of `logup.controller.ts`: login page and POST start, callback, me, POST logout. */
const CONTROLLER_CLASS = `@Controller('logup')
export class LogupController {
  constructor(
    private readonly logup: LogupService,
    @Inject(logupConfig.KEY)
    private readonly config: ConfigType<typeof logupConfig>,
  ) {}

  // The "Log in with LogUp" button: a same-origin form that POSTs below.
  @Get('login')
  @Header('Content-Type', 'text/html; charset=utf-8')
  loginPage(): string {
    return LOGIN_PAGE;
  }

  // Starts the login: startLogin() refuses a start from another site and
  // remembers in this browser's session (saved before the answer) that it started
  // one; then the browser goes to LogUp's hosted page.
  @Post('login')
  @Redirect()
  async login(@Req() request: object) {
    await this.logup.startLogin(request);
    return { url: this.config.loginUrl, statusCode: HttpStatus.SEE_OTHER };
  }

  // The gate's redirect URL (set it in LogUp's console). The guard checks that
  // this browser started the login, verifies logupToken with LogUp, and keeps
  // the visitor in the session.
  @Get('callback')
  @UseGuards(LogupGuard)
  @Redirect('/logup/me', 303)
  callback() {}

  // Who is logged in (401 without a login; 303 to the login page for browsers).
  @Get('me')
  @UseGuards(LogupGuard)
  me(@CurrentSubscription() subscription: LogupSubscription) {
    return {
      idSubscription: subscription.idSubscription,
      isNewUser: subscription.isNewUser,
    };
  }

  @Post('logout')
  @HttpCode(204)
  async logout(@Req() request: object): Promise<void> {
    await this.logup.logout(request);
  }
}
`;

/** `logup.controller.ts`: login page and POST start, callback, me, POST logout. */
export function controllerFile(project: LogupProject): string {
  return `${CONTROLLER_IMPORTS}import logupConfig from './logup.config${project.ext}';

const LOGIN_PAGE = \`${LOGIN_PAGE}\`;

${CONTROLLER_CLASS}`;
}
