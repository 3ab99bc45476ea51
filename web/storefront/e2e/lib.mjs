// Shared pieces of the end-to-end journeys: a real headless Chromium (Debian's,
// never a downloaded one) driven by playwright-core against a running bazaar.
// The Go test in test/browser starts the binary and runs each journey with
//   BASE_URL    the shop, e.g. http://127.0.0.1:41234
//   CHROMIUM    the browser binary (/usr/bin/chromium)
//   SHOTS       where screenshots go (test/browser/screenshots)
//   VIEWPORT    "1280x900" (default) or "360x740" for a phone
//   COUPON      a coupon code the test created
import { join } from "node:path";
import { tmpdir } from "node:os";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export const BASE = process.env.BASE_URL ?? "http://127.0.0.1:8080";
export const SHOTS = process.env.SHOTS ?? "screenshots";
const [vw, vh] = (process.env.VIEWPORT ?? "1280x900").split("x").map(Number);
export const PHONE = vw < 700;
export const TAG = PHONE ? "phone" : "desktop";

export function log(...a) {
  console.log(`[${new Date().toISOString().slice(11, 23)}]`, ...a);
}

/** Opens a fresh browser and page; run(page) does the journey. */
export async function journey(name, run) {
  mkdirSync(SHOTS, { recursive: true });
  // A fresh profile per journey: no cookies, storage or cache carried over.
  const profile = mkdtempSync(join(tmpdir(), "bazaar-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    viewport: { width: vw, height: vh },
    locale: "en-IN",
    timezoneId: "Asia/Kolkata",
    deviceScaleFactor: 1,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  context.setDefaultTimeout(15000);
  const page = context.pages()[0] ?? (await context.newPage());
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !/Failed to load resource/.test(m.text())) problems.push(`console error: ${m.text()}`);
  });
  let failed = false;
  try {
    await run(page, context);
    if (problems.length) throw new Error("the page logged errors:\n" + problems.join("\n"));
    log(`${name} (${TAG}): passed`);
  } catch (e) {
    failed = true;
    await page.screenshot({ path: join(SHOTS, `FAILED-${name}-${TAG}.png`), fullPage: true }).catch(() => undefined);
    console.error(`${name} (${TAG}): FAILED at ${page.url()}\n${e.stack ?? e}`);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
}

export async function shot(page, name, { full = false } = {}) {
  await page.waitForLoadState("networkidle").catch(() => undefined);
  await page.evaluate(() => document.fonts?.ready);
  const path = join(SHOTS, `${name}-${TAG}.png`);
  await page.evaluate(() => window.scrollTo(0, 0));
  // Pictures in view finish loading first.
  await page
    .waitForFunction(() => [...document.images].filter((i) => i.getBoundingClientRect().top < innerHeight && i.loading !== "lazy").every((i) => i.complete), null, { timeout: 5000 })
    .catch(() => undefined);
  // The page must fit the viewport's width (no sideways scrolling on a phone).
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  if (overflow > 0) throw new Error(`${name}: the page is ${overflow}px wider than the viewport`);
  await checkAccessibility(page, name);
  await page.screenshot({ path, fullPage: full });
  log("screenshot", path);
}

export function assert(cond, msg) {
  if (!cond) throw new Error("assertion failed: " + msg);
}

/** The newest dev-mailbox message to an address containing a link with path. */
export async function mailLink(to, path) {
  for (let i = 0; i < 50; i++) {
    const r = await fetch(`${BASE}/api/v1/dev/mail`);
    const { items } = await r.json();
    for (const m of (items ?? []).slice().reverse()) {
      if (m.to !== to) continue;
      const link = m.body.match(new RegExp(`https?://\\S+${path}\\S*`));
      if (link) return link[0].replace(/^https?:\/\/[^/]+/, BASE);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no mail to ${to} with ${path}`);
}

/** Products in stock in at least two sizes of one colour (for "adds two sizes"). */
export async function twoSizeProduct(query = "") {
  const r = await fetch(`${BASE}/api/v1/products?in_stock=true&page_size=40${query}`);
  const { items } = await r.json();
  for (const s of items) {
    const p = await (await fetch(`${BASE}/api/v1/products/${s.slug}`)).json();
    const byColour = new Map();
    for (const v of p.variants) if (!v.archived && v.in_stock && v.available >= 3) byColour.set(v.color, [...(byColour.get(v.color) ?? []), v]);
    for (const [colour, vs] of byColour) if (vs.length >= 2) return { product: p, colour, variants: vs };
  }
  throw new Error("no product with two sizes in stock");
}

/** Fills the guest or member delivery address at checkout. */
export async function fillAddress(page) {
  await page.getByLabel("Full name").fill("Asha Verma");
  await page.getByLabel("Mobile number").fill("98123 45678");
  await page.getByLabel("House, building, street").fill("12 Marine Drive");
  await page.getByLabel("Town or city").fill("Mumbai");
  await page.getByLabel("State").selectOption("MH");
  await page.getByRole("textbox", { name: "PIN code" }).fill("400001");
  await page.getByRole("textbox", { name: "PIN code" }).blur();
  await page.getByText(/We deliver to 400001/).waitFor();
}

export async function fillCard(page, number) {
  await page.getByLabel("Card", { exact: true }).check();
  await page.getByLabel("Card number").fill(number);
  await page.getByLabel("Expiry (MM/YY)").fill("12/30");
  await page.getByLabel("Security code (CVV)").fill("123");
}

/** Waits until the order page shows status (data-status), counting the page loads meanwhile. */
export async function waitForStatus(page, status, timeout = 45000) {
  await page.locator(`.status-label[data-status="${status}"]`).waitFor({ timeout });
}

let adminToken;

/** Calls the admin API as the account the Go test made (ADMIN_EMAIL, ADMIN_PASSWORD). */
export async function admin(method, path, body) {
  if (!adminToken) {
    const r = await fetch(`${BASE}/api/v1/auth/signin`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email: process.env.ADMIN_EMAIL, password: process.env.ADMIN_PASSWORD, session: "bearer" }),
    });
    if (!r.ok) throw new Error(`admin sign-in: ${r.status} ${await r.text()}`);
    adminToken = (await r.json()).token;
  }
  const r = await fetch(BASE + path, {
    method,
    headers: { Authorization: `Bearer ${adminToken}`, ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return r.json();
}

/**
 * Runs axe-core (WCAG 2.1 A and AA rules: contrast, names, labels, landmarks…)
 * on the page and fails on any serious or critical violation.
 */
export async function checkAccessibility(page, name) {
  if (!page.url().startsWith(BASE) || page.url().includes("/payments/sandbox/")) return; // not the storefront's page
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] }, resultTypes: ["violations"] }),
  );
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  if (bad.length) {
    const text = bad.map((v) => `${v.id} (${v.impact}): ${v.help}\n` + v.nodes.slice(0, 5).map((n) => `    ${n.target.join(" ")}: ${n.failureSummary?.split("\n").slice(1, 3).join("; ")}`).join("\n")).join("\n");
    throw new Error(`${name}: accessibility violations (WCAG 2.1 AA):\n${text}`);
  }
  log(`${name}: axe found no serious WCAG 2.1 AA violations (${result.passes?.length ?? "?"} rules passed)`);
}
