// Prices come from the API as integer minor units with an ISO 4217 currency
// ({amount: 129900, currency: "INR"}); they are shown the Indian way, by Intl:
// ₹1,299.00, ₹1,29,999.00.

export interface Money {
  amount: number;
  currency: string;
}

const formats = new Map<string, Intl.NumberFormat>();

function format(currency: string): Intl.NumberFormat {
  let f = formats.get(currency);
  if (!f) {
    f = new Intl.NumberFormat("en-IN", { style: "currency", currency });
    formats.set(currency, f);
  }
  return f;
}

/** The number of minor units in one major unit of currency (100 for INR, 1 for JPY). */
export function minorPerMajor(currency: string): number {
  return 10 ** (format(currency).resolvedOptions().maximumFractionDigits ?? 2);
}

/** formatMoney({amount: 129900, currency: "INR"}) === "₹1,299.00" */
export function formatMoney(m: Money): string {
  return format(m.currency).format(m.amount / minorPerMajor(m.currency));
}

/** The negative of m, for discounts shown as "−₹100.00". */
export function formatDiscount(m: Money): string {
  return m.amount === 0 ? formatMoney(m) : "−" + formatMoney(m);
}

/** Whole percent off a compare-at price, or 0 when there is none. */
export function percentOff(price: Money, compareAt?: Money | null): number {
  if (!compareAt || compareAt.currency !== price.currency || compareAt.amount <= price.amount || compareAt.amount <= 0) {
    return 0;
  }
  return Math.floor(((compareAt.amount - price.amount) * 100) / compareAt.amount);
}

/** Adds amounts of one currency. */
export function sum(currency: string, ...ms: Money[]): Money {
  let amount = 0;
  for (const m of ms) {
    if (m.currency !== currency) throw new Error(`cannot add ${m.currency} to ${currency}`);
    amount += m.amount;
  }
  return { amount, currency };
}
