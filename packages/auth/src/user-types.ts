/** Users and their email addresses as returned by `LumenizeAuth` (times in epoch milliseconds). */

/** One address of a user. At most one is `primary`, and it is always verified. */
export interface UserEmail {
  email: string;
  verified: boolean;
  primary: boolean;
  created_at: number;
  verified_at: number | null;
}

/** A user: `email` is the primary email (or `null`), `emails` every address on the account. */
export interface User {
  id: string;
  email: string | null;
  emails: UserEmail[];
  created_at: number;
  last_login_at: number | null;
}
