import type { ReactNode } from "react";
import { ApiError, NetworkError, describeError } from "../api/client";
import { Link } from "../router";

/** A failed load, said so a person understands it, with a way to try again. */
export function ErrorState({ error, retry, title }: { error: unknown; retry?: () => void; title?: string }) {
  const offline = error instanceof NetworkError;
  const notFound = error instanceof ApiError && error.status === 404;
  return (
    <div className="state state-error" role="alert">
      <h2>{title ?? (offline ? "You seem to be offline" : notFound ? "We couldn't find that" : "Something went wrong")}</h2>
      <p>{describeError(error)}</p>
      <p className="actions">
        {retry && !notFound && (
          <button type="button" className="btn" onClick={retry}>
            Try again
          </button>
        )}
        <Link to="/" className="btn btn-ghost">
          Go to the home page
        </Link>
      </p>
    </div>
  );
}

/** A message inside a form or a panel. */
export function Notice({ kind = "error", children }: { kind?: "error" | "info" | "success" | "warning"; children: ReactNode }) {
  return (
    <div className={`notice notice-${kind}`} role={kind === "error" ? "alert" : "status"}>
      {children}
    </div>
  );
}

export function Spinner({ label = "Loading…" }: { label?: string }) {
  return (
    <div className="spinner" role="status">
      <span className="spinner-dot" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}
