declare namespace Cloudflare {
  interface Env {
    AUTH_TEST_MODE: string;
    JWT_PRIVATE_KEY_BLUE: string;
    JWT_PUBLIC_KEY_BLUE: string;
    JWT_PRIVATE_KEY_GREEN: string;
    JWT_PUBLIC_KEY_GREEN: string;
    TEST_RETIRED_PRIVATE_KEY: string;
    TEST_RETIRED_PUBLIC_KEY: string;
  }
}
