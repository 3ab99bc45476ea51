// A guest's card is declined: the order page says so plainly, nothing is
// charged, and the bag is intact. Then a 3-D Secure card: the challenge page,
// Approve, and back on the order page it turns to paid.
import { BASE, assert, fillAddress, fillCard, journey, shot, twoSizeProduct, waitForStatus } from "./lib.mjs";

journey("declined", async (page) => {
  const { product, colour, variants } = await twoSizeProduct("&category=dresses");
  await page.goto(`${BASE}/p/${product.slug}?color=${encodeURIComponent(colour)}`);
  await page.locator(".options.sizes button", { hasText: new RegExp(`^${variants[0].size}`) }).click();
  await page.getByRole("button", { name: "Add to bag" }).click();
  await page.getByRole("dialog", { name: "Your bag" }).getByRole("button", { name: "Checkout" }).click();
  await page.waitForURL(/\/checkout$/);

  await page.getByLabel("Email").fill(`guest-${Date.now()}@example.com`);
  await fillAddress(page);
  await fillCard(page, "4000 0000 0000 0002");
  await page.getByRole("button", { name: /^Place order/ }).click();
  await page.waitForURL(/\/orders\//, { timeout: 30000 });
  await waitForStatus(page, "payment_failed");
  const text = await page.locator(".status").textContent();
  assert(/didn't go through/.test(text) && /haven't been charged/.test(text), `a clear decline message: ${text}`);
  await shot(page, "order-declined");

  await page.getByRole("button", { name: "Back to your bag" }).click();
  await page.waitForURL(/\/cart$/);
  await page.locator(".cart-page .line").first().waitFor();
  assert((await page.locator(".cart-page .line").count()) === 1, "the bag still holds the line");
  assert((await page.locator(".cart-page .line").first().textContent()).includes(product.title), "the same product");

  // Pay for the same bag with a card that asks for 3-D Secure.
  await page.getByRole("button", { name: "Checkout" }).click();
  await page.waitForURL(/\/checkout$/);
  await page.getByLabel("Email").fill(`guest3ds-${Date.now()}@example.com`);
  await fillAddress(page);
  await fillCard(page, "4000 0000 0000 3220");
  await page.getByRole("button", { name: /^Place order/ }).click();
  await page.waitForURL(/\/payments\/sandbox\/pages\//, { timeout: 30000 });
  await shot(page, "3ds-challenge");
  await page.getByRole("button", { name: /approve/i }).click();
  await page.waitForURL(/\/orders\//, { timeout: 30000 });
  await waitForStatus(page, "paid");
});
