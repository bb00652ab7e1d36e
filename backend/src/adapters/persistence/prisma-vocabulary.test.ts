// The database's enums and the domain's word lists (ports/vocabulary.ts) must say the same
// thing: a kind or status added to one and not the other fails here, not in production.
import { describe, expect, it } from "vitest";
import * as enums from "../../generated/prisma/enums.js";
import {
  DESIRED_STATES,
  OPERATION_STATUSES,
  ROLES,
  ROUTE_ACCESS,
  SERVICE_KINDS,
  TASK_STATUSES,
} from "../../ports/vocabulary.js";

describe("Prisma enums match the domain vocabulary", () => {
  it.each([
    ["Role", enums.Role, ROLES],
    ["ServiceKind", enums.ServiceKind, SERVICE_KINDS],
    ["DesiredState", enums.DesiredState, DESIRED_STATES],
    ["RouteAccess", enums.RouteAccess, ROUTE_ACCESS],
    ["OperationStatus", enums.OperationStatus, OPERATION_STATUSES],
    ["TaskStatus", enums.TaskStatus, TASK_STATUSES],
  ] as const)("%s", (_name, prismaEnum, words) => {
    expect(Object.values(prismaEnum).sort()).toEqual([...words].sort());
  });
});
