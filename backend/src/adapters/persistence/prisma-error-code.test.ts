import { describe, expect, it } from "vitest";
import { prismaErrorCode } from "./prisma-error-code.js";

describe("prismaErrorCode", () => {
  it("is Prisma's code for a known request error or an initialization error", () => {
    expect(prismaErrorCode(Object.assign(new Error("Unique constraint failed"), { code: "P2002" }))).toBe("P2002");
    expect(prismaErrorCode(Object.assign(new Error("Can't reach database"), { errorCode: "P1001" }))).toBe("P1001");
  });

  it("is unknown for anything else, so the label stays bounded", () => {
    expect(prismaErrorCode(new Error("boom"))).toBe("unknown");
    expect(prismaErrorCode(Object.assign(new Error("x"), { code: "ECONNRESET" }))).toBe("unknown");
    expect(prismaErrorCode(Object.assign(new Error("x"), { code: "P2002; DROP" }))).toBe("unknown");
    expect(prismaErrorCode(null)).toBe("unknown");
  });
});
