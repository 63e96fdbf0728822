declare namespace Cloudflare {
  interface Env {
    AUTH_TEST_MODE: string;
    AUTH_SUPER_ADMIN_EMAILS: string;
    JWT_PRIVATE_KEY_BLUE: string;
    JWT_PUBLIC_KEY_BLUE: string;
    JWT_PRIVATE_KEY_GREEN: string;
    JWT_PUBLIC_KEY_GREEN: string;
    TEST_RETIRED_PRIVATE_KEY: string;
    TEST_RETIRED_PUBLIC_KEY: string;
    LUMENIZE_AUTH: DurableObjectNamespace<import('./worker.ts').LumenizeAuth>;
    MOCK_EMAIL_AUTH: DurableObjectNamespace<import('./worker.ts').MockEmailAuth>;
    NO_TEST_MODE_AUTH: DurableObjectNamespace<import('./worker.ts').NoTestModeAuth>;
    FAILING_EMAIL_AUTH: DurableObjectNamespace<import('./worker.ts').FailingEmailAuth>;
    LOGGING_AUTH: DurableObjectNamespace<import('./worker.ts').LoggingAuth>;
    GREEN_AUTH: DurableObjectNamespace<import('./worker.ts').GreenAuth>;
    BAD_PRIMARY_AUTH: DurableObjectNamespace<import('./worker.ts').BadPrimaryAuth>;
    PROTECTED_DO: DurableObjectNamespace<import('./worker.ts').ProtectedDO>;
    DEV_MODE_AUTH: DurableObjectNamespace<import('./worker.ts').DevModeAuth>;
    ECHOING_PROVIDER_AUTH: DurableObjectNamespace<import('./worker.ts').EchoingProviderAuth>;
    LUMENIZE_AUTH_IP_RATE_LIMITER: RateLimit;
    LUMENIZE_AUTH_EMAIL_RATE_LIMITER: RateLimit;
    LUMENIZE_AUTH_USER_RATE_LIMITER: RateLimit;
    TEST_IP_LIMIT_3: RateLimit;
    TEST_EMAIL_LIMIT_2: RateLimit;
    TEST_USER_LIMIT_2: RateLimit;
    TEST_SEND_EMAIL: SendEmail;
    FAKE_PROVIDER: Fetcher;
  }
}
