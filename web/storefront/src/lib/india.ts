// Indian states and union territories (the codes the cart's GST and shipping
// rules take), and checks of what a shopper types at checkout.

export const STATES: [code: string, name: string][] = [
  ["AN", "Andaman and Nicobar Islands"], ["AP", "Andhra Pradesh"], ["AR", "Arunachal Pradesh"], ["AS", "Assam"], ["BR", "Bihar"],
  ["CH", "Chandigarh"], ["CG", "Chhattisgarh"], ["DH", "Dadra and Nagar Haveli and Daman and Diu"], ["DL", "Delhi"], ["GA", "Goa"],
  ["GJ", "Gujarat"], ["HR", "Haryana"], ["HP", "Himachal Pradesh"], ["JK", "Jammu and Kashmir"], ["JH", "Jharkhand"], ["KA", "Karnataka"],
  ["KL", "Kerala"], ["LA", "Ladakh"], ["LD", "Lakshadweep"], ["MP", "Madhya Pradesh"], ["MH", "Maharashtra"], ["MN", "Manipur"],
  ["ML", "Meghalaya"], ["MZ", "Mizoram"], ["NL", "Nagaland"], ["OD", "Odisha"], ["PY", "Puducherry"], ["PB", "Punjab"], ["RJ", "Rajasthan"],
  ["SK", "Sikkim"], ["TN", "Tamil Nadu"], ["TS", "Telangana"], ["TR", "Tripura"], ["UP", "Uttar Pradesh"], ["UK", "Uttarakhand"], ["WB", "West Bengal"],
];

export function stateName(code: string): string {
  return STATES.find(([c]) => c === code)?.[1] ?? code;
}

/** A 6-digit PIN code whose first digit is 1-9. */
export function validPIN(pin: string): boolean {
  return /^[1-9][0-9]{5}$/.test(pin.trim());
}

/** A 10-digit Indian mobile number, with or without +91 or a leading 0. */
export function normalisePhone(phone: string): string | null {
  const d = phone.replace(/[\s()-]/g, "").replace(/^(\+91|0091|0)/, "");
  return /^[6-9][0-9]{9}$/.test(d) ? "+91" + d : null;
}

/** Card number digits pass the Luhn check. */
export function luhn(number: string): boolean {
  const d = number.replace(/\D/g, "");
  if (d.length < 12 || d.length > 19) return false;
  let sum = 0;
  for (let i = 0; i < d.length; i++) {
    let n = d.charCodeAt(d.length - 1 - i) - 48;
    if (i % 2 === 1) {
      n *= 2;
      if (n > 9) n -= 9;
    }
    sum += n;
  }
  return sum % 10 === 0;
}

/** "4242424242424242" → "4242 4242 4242 4242" as it is typed. */
export function formatCardNumber(v: string): string {
  return v.replace(/\D/g, "").slice(0, 19).replace(/(.{4})(?=.)/g, "$1 ");
}

/** "MM/YY" → {month, year} (four-digit year), or null. */
export function parseExpiry(v: string, now = new Date()): { month: number; year: number } | null {
  const m = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(v);
  if (!m) return null;
  const month = Number(m[1]);
  const year = m[2].length === 2 ? 2000 + Number(m[2]) : Number(m[2]);
  if (month < 1 || month > 12) return null;
  const end = new Date(year, month, 1); // the first day after the expiry month
  if (end <= now) return null;
  return { month, year };
}
