import type { AccountStore, ExternalProfile, User } from "../../ports/account.port.js";
import type { AuditLog } from "../../ports/audit.port.js";
import { signInRefused } from "./auth.errors.js";

export interface SignupPolicy {
  /** closed: only the very first user may sign up; existing users always sign in. */
  signups: "open" | "closed";
  /** When non-empty, new users need an email in one of these domains. */
  emailDomains: string[];
}

// Resolves a provider's profile to a user: the same identity → the same user; a new
// identity with a verified email someone already has → linked to that person; otherwise a
// sign-up, if the policy allows it. The first user becomes admin (decided under a lock).
export function accountsServiceFactory(deps: {
  accounts: Pick<AccountStore, "findByIdentity" | "findByEmail" | "linkIdentity" | "createUser">;
  audit: AuditLog;
  policy: SignupPolicy;
}) {
  const { accounts, policy } = deps;

  return {
    async resolve(profile: ExternalProfile, meta: { ip?: string } = {}): Promise<User> {
      const known = await accounts.findByIdentity(profile.provider, profile.providerUserId);
      if (known) return known;
      const email = profile.email;
      if (!email) throw signInRefused("EMAIL_NOT_VERIFIED", "The provider did not vouch for your email address.");
      const identity = { provider: profile.provider, providerUserId: profile.providerUserId };

      const sameEmail = await accounts.findByEmail(email);
      if (sameEmail) {
        await accounts.linkIdentity(sameEmail.id, { ...identity, email });
        await deps.audit.record({
          actorId: sameEmail.id,
          action: "identity.link",
          target: `user:${sameEmail.id}`,
          data: identity,
          ip: meta.ip,
        });
        return sameEmail;
      }

      const domain = email.slice(email.lastIndexOf("@") + 1);
      if (policy.emailDomains.length > 0 && !policy.emailDomains.includes(domain)) {
        throw signInRefused("EMAIL_DOMAIN_NOT_ALLOWED", `Sign-ups are limited to ${policy.emailDomains.join(", ")}.`);
      }
      const user = await accounts.createUser(
        { email, name: profile.name, avatarUrl: profile.avatarUrl, identity },
        (existing) => existing === 0 || policy.signups === "open",
      );
      if (!user) throw signInRefused("SIGNUP_CLOSED", "Sign-ups are closed on this installation; ask an admin.");
      await deps.audit.record({
        actorId: user.id,
        action: "user.create",
        target: `user:${user.id}`,
        data: { provider: profile.provider, role: user.role },
        ip: meta.ip,
      });
      return user;
    },
  };
}

export type AccountsService = ReturnType<typeof accountsServiceFactory>;
