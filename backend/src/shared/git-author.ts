import type { AccountStore } from "../ports/account.port.js";
import type { Principal } from "../ports/auth.port.js";
import type { GitPerson } from "../ports/project-git.port.js";
import { notFound } from "./errors.js";

/** A person commits as themselves: their name and the e-mail they signed in with. */
export async function gitAuthorOf(users: Pick<AccountStore, "findById">, principal: Principal): Promise<GitPerson> {
  const u = await users.findById(principal.userId);
  if (!u) throw notFound("USER_NOT_FOUND", "The signed-in user no longer exists");
  return { name: u.name?.trim() || (u.email.split("@")[0] ?? u.email), email: u.email };
}
