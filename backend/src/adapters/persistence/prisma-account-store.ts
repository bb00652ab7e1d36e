import type { AccountStore, User } from "../../ports/account.port.js";
import type { Db } from "./prisma-client.js";

const USER_FIELDS = { id: true, email: true, name: true, avatarUrl: true, role: true, createdAt: true } as const;
// Any constant works: it only serialises sign-ups against each other.
const SIGNUP_LOCK = 72_707_370;

export function prismaAccountStore(db: Db): AccountStore {
  return {
    findById: (id) => db.user.findUnique({ where: { id }, select: USER_FIELDS }),
    async findByIdentity(provider, providerUserId) {
      const row = await db.identity.findUnique({
        where: { provider_providerUserId: { provider, providerUserId } },
        select: { user: { select: USER_FIELDS } },
      });
      return row?.user ?? null;
    },
    findByEmail: (email) => db.user.findUnique({ where: { email }, select: USER_FIELDS }),
    findOwner: () =>
      db.user.findFirst({ where: { role: "admin" }, orderBy: { createdAt: "asc" }, select: USER_FIELDS }),
    async linkIdentity(userId, identity) {
      await db.identity.create({ data: { userId, ...identity } });
    },
    async createUser(input, allowed): Promise<User | null> {
      return db.$transaction(async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SIGNUP_LOCK})`;
        const existing = await tx.user.count();
        if (!allowed(existing)) return null;
        return tx.user.create({
          data: {
            email: input.email,
            name: input.name,
            avatarUrl: input.avatarUrl,
            role: existing === 0 ? "admin" : "member",
            ...(input.identity ? { identities: { create: { ...input.identity, email: input.email } } } : {}),
          },
          select: USER_FIELDS,
        });
      });
    },
  };
}
