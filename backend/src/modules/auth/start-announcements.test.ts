import { describe, expect, it } from "vitest";
import { announceSignInLink, signupPolicyLine } from "./start-announcements.js";

// Regression: "the owner's one-time link is written to the log" (issue #10).
describe("the sign-in link at start", () => {
  const url = "http://localhost:3000/api/v1/auth/bootstrap?token=dsl_secret123";

  it("goes to the terminal only; the log says one was issued, without the token", async () => {
    const printed: string[] = [];
    const logged: string[] = [];
    await announceSignInLink({
      terminal: (l) => printed.push(l),
      log: { info: (m) => logged.push(m) },
      createLink: async () => ({ url }),
    });
    expect(printed.join("\n")).toContain(url);
    expect(logged.join("\n")).toMatch(/one-time sign-in link .* printed on the terminal/);
    expect(logged.join("\n")).not.toContain("dsl_");
  });

  it("is not even made when stdout is not a terminal, and the log says how to get one", async () => {
    const logged: string[] = [];
    let made = 0;
    await announceSignInLink({
      terminal: null,
      log: { info: (m) => logged.push(m) },
      createLink: async () => {
        made++;
        return { url };
      },
    });
    expect(made).toBe(0);
    expect(logged.join("\n")).toContain("pnpm signin-link");
  });
});

describe("the sign-up policy line", () => {
  it("says closed, and what opens it", () => {
    expect(signupPolicyLine({ signups: "closed", signupEmailDomains: [] })).toMatch(/closed.*SIGNUP_EMAIL_DOMAINS/);
  });
  it("names the domains when limited", () => {
    expect(signupPolicyLine({ signups: "open", signupEmailDomains: ["corp.example"] })).toContain("corp.example");
  });
});
