import { describe, expect, it } from "vitest";
import { cookieOptions } from "./edge-reply.js";

const session = { name: "ds_app", value: "v", maxAgeS: 60 };

describe("project host cookie", () => {
  it("is partitioned SameSite=None (works inside the console's preview frame) over https", () => {
    expect(cookieOptions({ ...session, secure: true }, "blog--preview.apps.example.com")).toMatchObject({
      sameSite: "none",
      secure: true,
      partitioned: true,
      httpOnly: true,
    });
  });

  it("is the same on http://*.localhost, which browsers treat as a secure context", () => {
    expect(cookieOptions({ ...session, secure: false }, "blog--preview.localhost")).toMatchObject({
      sameSite: "none",
      secure: true,
      partitioned: true,
    });
  });

  it("stays SameSite=Lax on plain http elsewhere, where a Secure cookie would be dropped", () => {
    expect(cookieOptions({ ...session, secure: false }, "blog--preview.lan.example")).toMatchObject({
      sameSite: "lax",
      secure: false,
    });
  });
});
