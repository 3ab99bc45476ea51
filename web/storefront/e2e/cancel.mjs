// The network drops while a listing loads: the page says so and its Retry
// button recovers. Then a guest pays by card, changes their mind and cancels
// from the order page: the order turns to cancelled and says the money is on
// its way back.
import { BASE, fillAddress, fillCard, journey, shot, twoSizeProduct, waitForStatus } from "./lib.mjs";

journey("cancel", async (page) => {
  await page.route("**/api/v1/products?**", (route) => route.abort("internetdisconnected"));
  await page.goto(`${BASE}/c/tops`);
  await page.getByRole("heading", { name: "You seem to be offline" }).waitFor();
  await page.getByText("We couldn't reach the shop. Check your internet connection and try again.").waitFor();
  await shot(page, "listing-offline");
  await page.unroute("**/api/v1/products?**");
  await page.getByRole("button", { name: "Try again" }).click();
  await page.locator(".grid .card").first().waitFor();

  const { product, colour, variants } = await twoSizeProduct("&category=tops");
  await page.goto(`${BASE}/p/${product.slug}?color=${encodeURIComponent(colour)}`);
  await page.locator(".options.sizes button", { hasText: new RegExp(`^${variants[0].size}`) }).click();
  await page.getByRole("button", { name: "Add to bag" }).click();
  await page.getByRole("dialog", { name: "Your bag" }).getByRole("button", { name: "Checkout" }).click();
  await page.waitForURL(/\/checkout$/);
  await page.getByLabel("Email").fill(`guestcancel-${Date.now()}@example.com`);
  await fillAddress(page);
  await fillCard(page, "4242 4242 4242 4242");
  await page.getByRole("button", { name: /^Place order/ }).click();
  await page.waitForURL(/\/orders\//, { timeout: 30000 });
  await waitForStatus(page, "paid");

  await page.getByRole("button", { name: "Cancel order" }).click();
  await page.getByLabel(/Why are you cancelling/).selectOption("changed_mind");
  await page.getByRole("button", { name: "Yes, cancel the order" }).click();
  await waitForStatus(page, "cancelled");
  await page.getByText(/money is on its way back/).waitFor();
  await shot(page, "order-cancelled");
});
