// A guest finds clothes with a misspelt search, filters, adds two sizes to the
// bag, applies a coupon, signs up (the bag comes along), checks out with a
// sandbox card and watches the order turn to paid without reloading.
import { BASE, PHONE, assert, fillAddress, fillCard, journey, log, mailLink, shot, twoSizeProduct, waitForStatus } from "./lib.mjs";

const coupon = process.env.COUPON ?? "E2E10";
const email = `shopper-${Date.now()}-${PHONE ? "p" : "d"}@example.com`;

journey("shopper", async (page) => {
  // Landing
  await page.goto(BASE + "/");
  await page.getByRole("heading", { name: "New arrivals" }).waitFor();
  await page.locator('ul[aria-label="New arrivals"] li').first().waitFor();
  await shot(page, "landing");

  // Search with a typo: suggestions appear while typing, results despite the typo.
  const search = page.getByRole("combobox", { name: /Search/ });
  await search.click();
  await search.pressSequentially("kurtaa", { delay: 40 });
  await page.getByRole("listbox", { name: "Suggestions" }).getByRole("option").first().waitFor();
  log("suggestions:", await page.getByRole("listbox", { name: "Suggestions" }).getByRole("option").count());
  await search.press("Enter");
  await page.waitForURL(/\/search\?q=kurtaa/);
  await page.getByText(/^[\d,]+ products?$/).waitFor();
  const before = Number((await page.locator("#results-count").textContent()).replace(/\D/g, ""));
  assert(before > 0, `a misspelt search finds kurtas (got ${before})`);
  const firstTitle = await page.locator(".card-title").first().textContent();
  assert(/kurta/i.test(firstTitle), `the first result is a kurta: ${firstTitle}`);

  // Filter by size M and in stock; facet counts follow.
  if (PHONE) await page.getByRole("button", { name: /^Filters/ }).click();
  const panel = PHONE ? page.getByRole("dialog", { name: "Filters" }) : page.getByRole("complementary", { name: "Filters" });
  await panel.getByRole("checkbox", { name: /^M \(/ }).check();
  await page.waitForURL(/size=m/);
  await panel.getByRole("checkbox", { name: "In stock only" }).check();
  await page.waitForURL(/in_stock=true/);
  if (PHONE) await page.getByRole("button", { name: /^Show .* results$/ }).click();
  await page.waitForFunction((n) => {
    const t = document.querySelector("#results-count")?.textContent ?? "";
    return /products?$/.test(t) && Number(t.replace(/\D/g, "")) < n && !document.querySelector("[aria-busy=true]");
  }, before);
  const after = Number((await page.locator("#results-count").textContent()).replace(/\D/g, ""));
  log(`kurtaa: ${before} results, ${after} in size M in stock`);
  assert(after > 0 && after < before, "filters narrow the results");
  await page.getByRole("button", { name: "Remove filter M" }).waitFor();
  await shot(page, "listing");
  // The back button returns to the unfiltered listing, then forward again.
  await page.goBack();
  await page.waitForURL((u) => !u.search.includes("in_stock"));
  await page.goForward();
  await page.waitForURL(/in_stock=true/);

  // Open a product with two sizes in stock and add both.
  const { product, colour, variants } = await twoSizeProduct("&q=kurta&size=m");
  log(`product ${product.slug}: ${colour} ${variants.map((v) => v.size).join(", ")}`);
  await page.goto(`${BASE}/p/${product.slug}?color=${encodeURIComponent(colour)}`);
  await page.getByRole("heading", { level: 1, name: product.title }).waitFor();
  for (const [i, v] of variants.slice(0, 2).entries()) {
    await page.locator(".options.sizes button", { hasText: new RegExp(`^${v.size}`) }).click();
    await page.getByRole("button", { name: "Add to bag" }).click();
    const drawer = page.getByRole("dialog", { name: "Your bag" });
    await drawer.waitFor();
    await drawer.getByText(new RegExp(`\\(${i + 1} items?\\)`)).waitFor();
    if (i === 0) await drawer.getByRole("button", { name: "Close your bag" }).click();
  }
  await page.keyboard.press("Escape");
  await shot(page, "product");

  // The bag: two lines, a coupon with its discount shown by name.
  await page.getByRole("button", { name: /^Bag\W+2 items/ }).click();
  await page.getByRole("dialog", { name: "Your bag" }).getByRole("button", { name: "View bag" }).click();
  await page.waitForURL(/\/cart$/);
  await page.locator(".cart-page .line").nth(1).waitFor();
  assert((await page.locator(".cart-page .line").count()) === 2, "two lines in the bag");
  await page.getByLabel("Coupon code").fill(coupon);
  await page.getByRole("button", { name: "Apply" }).click();
  await page.locator(".totals .discount", { hasText: coupon.toUpperCase() }).waitFor();
  await shot(page, "cart", { full: true });

  // Sign up; the confirmation link signs in and the bag comes along.
  await page.goto(BASE + "/signup?next=/checkout");
  await page.getByLabel("Your name").fill("Asha Verma");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill("a long passphrase for e2e");
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByRole("heading", { name: "Check your email" }).waitFor();
  await page.goto(await mailLink(email, "/verify-email"));
  await page.getByText("Your email address is confirmed and you're signed in.").waitFor();
  await page.getByRole("button", { name: /^Bag\W+2 items/ }).waitFor();

  // Checkout as the new member with a sandbox card.
  await page.goto(BASE + "/checkout");
  await page.getByText(`Signed in as ${email}`).waitFor();
  await fillAddress(page);
  await fillCard(page, "4242 4242 4242 4242");
  await page.locator(".totals .discount", { hasText: coupon.toUpperCase() }).waitFor();
  await shot(page, "checkout", { full: true });
  await page.getByRole("button", { name: /^Place order/ }).click();

  // The order page turns to paid live: no reload between pending and paid.
  await page.waitForURL(/\/orders\/[0-9a-f-]+$/, { timeout: 30000 });
  let loads = 0;
  page.on("load", () => loads++);
  await page.locator(".status-label").waitFor();
  const first = await page.locator(".status-label").getAttribute("data-status");
  log("order status first shown:", first);
  await waitForStatus(page, "paid");
  // The sandbox may authorise before the page first asks; the UPI leg of the
  // declined journey proves the live change from awaiting_payment to paid.
  assert(loads === 0, `the order page turned to paid without a reload (${loads} loads)`);
  await page.getByRole("button", { name: /^Bag\W+0 items/ }).waitFor();
  await shot(page, "order", { full: true });
});
