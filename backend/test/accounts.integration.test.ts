// Sign-up races on a real database: of simultaneous first sign-ins, exactly one is admin.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prismaAccountStore } from "../src/adapters/persistence/prisma-account-store.js";
import { createTestDatabase, type TestDatabase } from "./helpers/database.js";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

describe("account store", () => {
  it("makes exactly one of several simultaneous first users admin", async () => {
    const accounts = prismaAccountStore(database.db);
    const users = await Promise.all(
      [1, 2, 3, 4].map((i) =>
        accounts.createUser(
          {
            email: `racer${i}@example.test`,
            name: null,
            avatarUrl: null,
            identity: { provider: "github", providerUserId: `r${i}` },
          },
          () => true,
        ),
      ),
    );
    expect(users.filter((u) => u?.role === "admin")).toHaveLength(1);
    expect(users.filter((u) => u?.role === "member")).toHaveLength(3);
    expect(await database.db.identity.count()).toBe(4);
  });

  it("lets the policy see how many users exist, and creates nothing when it refuses", async () => {
    const accounts = prismaAccountStore(database.db);
    let seen = -1;
    const refused = await accounts.createUser({ email: "late@example.test", name: null, avatarUrl: null }, (n) => {
      seen = n;
      return false;
    });
    expect(refused).toBeNull();
    expect(seen).toBe(4);
    expect(await accounts.findByEmail("late@example.test")).toBeNull();
  });
});
