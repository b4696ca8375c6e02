// Money on screen: deal values are integers of a currency's minor unit (docs/deals.md), shown and typed in
// major units with the currency's own decimals (EUR 2, JPY 0, KWD 3).

/** The currency's decimals, as the browser's currency data gives them (2 when the code is unknown). */
export function currencyDigits(currency: string): number {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** "€1,250.00" for 125000 EUR minor units; the code itself when the browser does not know the currency. */
export function money(minor: number, currency: string, digits = currencyDigits(currency)): string {
  const major = minor / 10 ** digits;
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(major);
  } catch {
    return `${major.toFixed(digits)} ${currency}`;
  }
}

/** What a person typed ("1250", "1,250.5") in minor units, or null when it is not an amount of 0 or more. */
export function parseMoney(text: string, currency: string, digits = currencyDigits(currency)): number | null {
  const cleaned = text.trim().replace(/[\s,_]/g, "");
  if (!/^\d+(\.\d*)?$/.test(cleaned)) return null;
  const [whole, fraction = ""] = cleaned.split(".");
  if (fraction.length > digits) return null;
  return Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, "0") || "0");
}

/** The amount in major units for an input field ("1250.50"). */
export function moneyInput(minor: number, currency: string, digits = currencyDigits(currency)): string {
  return digits === 0 ? String(minor) : (minor / 10 ** digits).toFixed(digits);
}
