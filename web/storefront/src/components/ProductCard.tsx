import type { ProductSummary } from "../api/types";
import { Link } from "../router";
import { Price } from "./Price";

/** Product pictures are 3:4; width and height are set so the grid does not jump as they load. */
export function ProductCard({ p, eager }: { p: ProductSummary; eager?: boolean }) {
  return (
    <li className="card">
      <Link to={`/p/${p.slug}`} className="card-link">
        <span className="card-img">
          {p.image ? (
            <img src={p.image.url} alt={p.image.alt || p.title} width={300} height={400} loading={eager ? "eager" : "lazy"} decoding="async" />
          ) : (
            <span className="img-missing" role="img" aria-label={p.title} />
          )}
          {!p.in_stock && <span className="badge badge-muted">Sold out</span>}
        </span>
        <span className="card-brand">{p.brand}</span>
        <span className="card-title">{p.title}</span>
      </Link>
      <Price price={p.price} compareAt={p.compare_at_price} />
    </li>
  );
}

export function ProductGrid({ products, label, eagerCount = 4 }: { products: ProductSummary[]; label?: string; eagerCount?: number }) {
  return (
    <ul className="grid" aria-label={label}>
      {products.map((p, i) => (
        <ProductCard key={p.id} p={p} eager={i < eagerCount} />
      ))}
    </ul>
  );
}

/** Grey cards while a grid loads. */
export function GridSkeleton({ count = 8 }: { count?: number }) {
  return (
    <ul className="grid" aria-hidden="true">
      {Array.from({ length: count }, (_, i) => (
        <li key={i} className="card skeleton">
          <span className="card-img" />
          <span className="sk-line" />
          <span className="sk-line short" />
        </li>
      ))}
    </ul>
  );
}
