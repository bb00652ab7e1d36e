import { describe, expect, it } from "vitest";
import type { AccountStore, ExternalProfile, User } from "../../ports/account.port.js";
import type { AuditEntry } from "../../ports/audit.port.js";
import { accountsServiceFactory, type SignupPolicy } from "./accounts.service.js";

// The linking and sign-up rules on a small in-memory store (the Prisma store has its own
// integration tests, incl. the first-user race).
function memoryAccounts() {
  const users: User[] = [];
  const identities = new Map<string, string>(); // provider:id → userId
  const store: Pick<AccountStore, "findByIdentity" | "findByEmail" | "linkIdentity" | "createUser"> = {
    findByIdentity: async (p, id) => users.find((u) => u.id === identities.get(`${p}:${id}`)) ?? null,
    findByEmail: async (email) => users.find((u) => u.email === email) ?? null,
    linkIdentity: async (userId, i) => void identities.set(`${i.provider}:${i.providerUserId}`, userId),
    createUser: async (input, allowed) => {
      if (!allowed(users.length)) return null;
      const user: User = {
        id: `u${users.length + 1}`,
        email: input.email,
        name: input.name,
        avatarUrl: input.avatarUrl,
        role: users.length === 0 ? "admin" : "member",
        createdAt: new Date(),
      };
      users.push(user);
      if (input.identity) identities.set(`${input.identity.provider}:${input.identity.providerUserId}`, user.id);
      return user;
    },
  };
  return { store, users };
}

const profile = (over: Partial<ExternalProfile>): ExternalProfile => ({
  provider: "github",
  providerUserId: "1",
  email: "ada@example.com",
  name: "Ada",
  avatarUrl: null,
  ...over,
});

function service(policy: Partial<SignupPolicy> = {}) {
  const { store, users } = memoryAccounts();
  const audit: AuditEntry[] = [];
  const accounts = accountsServiceFactory({
    accounts: store,
    audit: { record: async (e) => void audit.push(e) },
    policy: { signups: "open", emailDomains: [], ...policy },
  });
  return { accounts, users, audit };
}

describe("accounts service", () => {
  it("signs the same identity in as the same user, and links a second provider by verified email", async () => {
    const { accounts, users, audit } = service();
    const first = await accounts.resolve(profile({}));
    expect(await accounts.resolve(profile({}))).toEqual(first);
    const viaGoogle = await accounts.resolve(profile({ provider: "google", providerUserId: "g1" }));
    expect(viaGoogle.id).toBe(first.id);
    expect(users).toHaveLength(1);
    expect(audit.map((a) => a.action)).toEqual(["user.create", "identity.link"]);
  });

  it("refuses a profile without a verified email", async () => {
    await expect(service().accounts.resolve(profile({ email: null }))).rejects.toMatchObject({
      code: "EMAIL_NOT_VERIFIED",
    });
  });

  it("applies the domain list to new users only", async () => {
    const { accounts } = service({ emailDomains: ["corp.example"] });
    await expect(accounts.resolve(profile({}))).rejects.toMatchObject({ code: "EMAIL_DOMAIN_NOT_ALLOWED" });
    const boss = await accounts.resolve(profile({ email: "boss@corp.example", providerUserId: "2" }));
    expect(boss.role).toBe("admin");
  });

  it("with sign-ups closed, lets only the first user and existing users in", async () => {
    const { accounts } = service({ signups: "closed" });
    await accounts.resolve(profile({}));
    await expect(accounts.resolve(profile({ email: "b@example.com", providerUserId: "2" }))).rejects.toMatchObject({
      code: "SIGNUP_CLOSED",
    });
    expect((await accounts.resolve(profile({}))).role).toBe("admin");
  });
});
