import { randomBytes } from "node:crypto";
import { decodeJwt, decodeProtectedHeader, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { ACCESS_TOKEN_TTL_S, accessTokenCodec } from "./access-token.js";

const key = new Uint8Array(randomBytes(32));
const claims = { userId: "u1", role: "member" as const, sessionId: "s1" };

describe("access tokens", () => {
  // Regression: "the access JWT lives 900,000 s (10.4 days), not 900 s" (issue #10): the TTL in
  // seconds was multiplied by 1000 for a signer that took seconds.
  it("expire 15 minutes after they are issued", async () => {
    const codec = await accessTokenCodec(key, { isSessionActive: async () => true });
    const { token, expiresAt } = await codec.sign(claims);
    const { exp, iat } = decodeJwt(token);
    expect((exp ?? 0) - (iat ?? 0)).toBe(ACCESS_TOKEN_TTL_S);
    expect(ACCESS_TOKEN_TTL_S).toBe(900);
    expect(Math.abs(expiresAt.getTime() - Date.now() - 900_000)).toBeLessThan(5000);
    expect(decodeProtectedHeader(token).alg).toBe("HS256");
  });

  it("are refused once expired, and for a signed-out session", async () => {
    let t = Date.now();
    let active = true;
    const codec = await accessTokenCodec(key, { isSessionActive: async () => active, now: () => t });
    const { token } = await codec.sign(claims);
    await expect(codec.verify(token)).resolves.toMatchObject({ userId: "u1", sessionId: "s1", via: "session" });
    active = false;
    await expect(codec.verify(token)).rejects.toMatchObject({ code: "INVALID_TOKEN" });
    active = true;
    t += (ACCESS_TOKEN_TTL_S + 1) * 1000;
    await expect(codec.verify(token)).rejects.toThrow(/expired/);
  });

  it("refuses another algorithm, another key, and a token that is not an access token", async () => {
    const codec = await accessTokenCodec(key, { isSessionActive: async () => true });
    const forged = (alg: string, k: Uint8Array, typ = "access") =>
      new SignJWT({ role: "admin", sid: "s1", typ })
        .setProtectedHeader({ alg })
        .setIssuer("devsanctum")
        .setAudience("devsanctum-api")
        .setSubject("u1")
        .setIssuedAt()
        .setExpirationTime("10m")
        .sign(k);
    await expect(codec.verify(await forged("HS512", key))).rejects.toMatchObject({ code: "INVALID_TOKEN" });
    await expect(codec.verify(await forged("HS256", new Uint8Array(randomBytes(32))))).rejects.toMatchObject({
      code: "INVALID_TOKEN",
    });
    await expect(codec.verify(await forged("HS256", key, "refresh"))).rejects.toThrow(/not an access token/);
    const none = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from('{"sub":"u1"}').toString("base64url")}.`;
    await expect(codec.verify(none)).rejects.toMatchObject({ code: "INVALID_TOKEN" });
  });
});
