// A guest's card is declined: the order page says so plainly, nothing is
// charged, and the bag is intact. Then a 3-D Secure card: the challenge page,
// Approve, and back on the order page it turns to paid; the shop packs, ships
// and delivers it (the page follows live) and the shopper asks for another
// size. Last, UPI: "approve in your app", then paid live.
import { BASE, admin, assert, fillAddress, fillCard, journey, shot, twoSizeProduct, waitForStatus } from "./lib.mjs";

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

  // The shop fulfils it; the open page follows each step.
  const orderId = new URL(page.url()).pathname.split("/").pop();
  await admin("POST", `/api/v1/admin/orders/${orderId}/pack`);
  await waitForStatus(page, "packed");
  await admin("POST", `/api/v1/admin/orders/${orderId}/ship`, { carrier: "Delhivery", tracking_number: "DLV1234567", tracking_url: "https://example.com/track/DLV1234567" });
  await waitForStatus(page, "shipped");
  await page.getByText(/On its way with Delhivery/).waitFor();
  await admin("POST", `/api/v1/admin/orders/${orderId}/deliver`);
  await waitForStatus(page, "delivered");

  // An exchange for the other size.
  await page.getByRole("button", { name: "Return or exchange" }).click();
  await page.getByLabel("Another size (exchange)").check();
  await page.getByLabel(/How many .* to return/).selectOption("1");
  await page.getByLabel("Exchange for").selectOption({ label: `${variants[1].size} (${colour})` });
  await page.getByLabel("Reason").selectOption("size_too_small");
  await shot(page, "order-exchange", { full: true });
  await page.getByRole("button", { name: "Request exchange" }).click();
  await waitForStatus(page, "return_requested");
  await page.getByText(/Exchange of 1 item/).waitFor();

  // UPI: "approve in your UPI app", then paid, live, without a reload.
  await page.goto(`${BASE}/p/${product.slug}?color=${encodeURIComponent(colour)}`);
  await page.locator(".options.sizes button", { hasText: new RegExp(`^${variants[1].size}`) }).click();
  await page.getByRole("button", { name: "Add to bag" }).click();
  await page.getByRole("dialog", { name: "Your bag" }).getByRole("button", { name: "Checkout" }).click();
  await page.waitForURL(/\/checkout$/);
  await page.getByLabel("Email").fill(`guestupi-${Date.now()}@example.com`);
  await fillAddress(page);
  await page.getByLabel("UPI", { exact: true }).check();
  await page.getByLabel("UPI ID").fill("success@upi");
  await page.getByRole("button", { name: /^Place order/ }).click();
  await page.waitForURL(/\/orders\//, { timeout: 30000 });
  let loads = 0;
  page.on("load", () => loads++);
  await waitForStatus(page, "awaiting_payment");
  await page.getByText("Approve the payment request in your UPI app").first().waitFor();
  await shot(page, "order-upi-waiting");
  await waitForStatus(page, "paid");
  assert(loads === 0, `the order turned to paid without a reload (${loads} loads)`);
});
