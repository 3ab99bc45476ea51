import type { Money } from "../api/types";
import { formatMoney, percentOff } from "../lib/money";

/** A price, with the compare-at price struck through and the saving when there is one. */
export function Price({ price, compareAt, from, className }: { price: Money; compareAt?: Money | null; from?: boolean; className?: string }) {
  const off = percentOff(price, compareAt);
  return (
    <span className={"price " + (className ?? "")}>
      <span className="price-now">
        {from ? "From " : ""}
        {formatMoney(price)}
      </span>
      {off > 0 && compareAt && (
        <>
          {" "}
          <s className="price-was" aria-label={`was ${formatMoney(compareAt)}`}>
            {formatMoney(compareAt)}
          </s>{" "}
          <span className="price-off">({off}% off)</span>
        </>
      )}
    </span>
  );
}
