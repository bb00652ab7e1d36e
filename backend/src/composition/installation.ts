// Which install this database is. Every container, network and volume carries
// devsanctum.install=<id>, and the reconciler only ever adopts or removes what carries its own.
// The id used to come from INSTALL_ID alone (default "default"): a second checkout, a benchmark
// or another DATA_DIR on the same engine with the default took the first install's resources
// for strays and deleted them, files volume included. Now the id is bound to the database: made
// at the first start and stored; INSTALL_ID only pins it on a new database or must match it.
import { randomBytes } from "node:crypto";
import type { Db } from "../adapters/persistence/prisma-client.js";
import { prismaInstallationStore } from "../adapters/persistence/prisma-installation-store.js";
import type { InstallationStore } from "../ports/installation.port.js";

export class InstallIdMismatch extends Error {
  override name = "InstallIdMismatch";
}

/** The id databases got before it was stored: what their resources are labelled with. */
const LEGACY_ID = "default";

export async function bindInstallId(store: InstallationStore, configured: string | undefined): Promise<string> {
  const stored = await store.get();
  const id =
    stored ??
    (await store.claim(configured ?? ((await store.hasProjects()) ? LEGACY_ID : `i${randomBytes(4).toString("hex")}`)));
  if (configured && configured !== id) {
    throw new InstallIdMismatch(
      `INSTALL_ID=${configured}, but this database belongs to install "${id}": its projects' containers and volumes carry that label. Unset INSTALL_ID (or set it to ${id}), or point DATABASE_URL / DATA_DIR at the database of install ${configured}.`,
    );
  }
  return id;
}

/** main.ts's entry: the install id of this database (made and stored on its first start). */
export const installIdOf = (db: Db, configured: string | undefined) =>
  bindInstallId(prismaInstallationStore(db), configured);
