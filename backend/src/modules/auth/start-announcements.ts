// What the control plane says about sign-in when it starts.

/**
 * The owner's one-time link signs in as an admin: it goes to a terminal only, never into a log
 * (a file, journald, a collector keeps it). The log says that one was issued, or how to get one.
 */
export async function announceSignInLink(opts: {
  /** Writes a line to the terminal; null when stdout is not one. */
  terminal: ((line: string) => void) | null;
  log: { info(msg: string): void };
  createLink: () => Promise<{ url: string }>;
}) {
  if (!opts.terminal) {
    opts.log.info("no sign-in link printed (stdout is not a terminal): print one with `pnpm signin-link`");
    return;
  }
  const link = await opts.createLink();
  opts.terminal(`sign in (one-time link, valid 15 minutes): ${link.url}   — a new one: pnpm signin-link`);
  opts.log.info("a one-time sign-in link for the owner was printed on the terminal (valid 15 minutes)");
}

/** One line on who may create an account here. */
export function signupPolicyLine(auth: { signups: "open" | "closed"; signupEmailDomains: string[] }): string {
  if (auth.signups === "closed") {
    return "sign-ups: closed — the first account becomes admin, nobody else can sign up (set SIGNUP_EMAIL_DOMAINS or SIGNUPS=open to let others in)";
  }
  return auth.signupEmailDomains.length
    ? `sign-ups: open to e-mail addresses at ${auth.signupEmailDomains.join(", ")}`
    : "sign-ups: open to anyone who can sign in with a configured provider (SIGNUPS=open)";
}
