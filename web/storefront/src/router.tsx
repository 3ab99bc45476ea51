// A small history-based router: the location is an external store that
// pushState/replaceState and the back button update; pages read it with
// useLocation and move with navigate or <Link>.
import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from "react";

const listeners = new Set<() => void>();
const NAV_EVENT = "bazaar:navigate";

function subscribe(fn: () => void): () => void {
  listeners.add(fn);
  if (listeners.size === 1) {
    window.addEventListener("popstate", notify);
    window.addEventListener(NAV_EVENT, notify);
  }
  return () => {
    listeners.delete(fn);
    if (listeners.size === 0) {
      window.removeEventListener("popstate", notify);
      window.removeEventListener(NAV_EVENT, notify);
    }
  };
}

function notify() {
  for (const fn of listeners) fn();
}

function snapshot(): string {
  return window.location.pathname + window.location.search;
}

export interface Location {
  pathname: string;
  search: string;
  query: URLSearchParams;
}

let cachedKey = "";
let cached: Location = { pathname: "/", search: "", query: new URLSearchParams() };

function current(): Location {
  const key = snapshot();
  if (key !== cachedKey) {
    cachedKey = key;
    cached = { pathname: window.location.pathname, search: window.location.search, query: new URLSearchParams(window.location.search) };
  }
  return cached;
}

/** The current location; the component renders again when it changes. */
export function useLocation(): Location {
  useSyncExternalStore(subscribe, snapshot, snapshot);
  return current();
}

export interface NavigateOptions {
  replace?: boolean;
  /** Keep the scroll position (filters, load more); by default a new page starts at the top. */
  keepScroll?: boolean;
}

/** Goes to a path within the shop ("/p/red-kurta?x=1"). */
export function navigate(to: string, opts: NavigateOptions = {}): void {
  if (to === snapshot() && !opts.replace) return;
  if (opts.replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  if (!opts.keepScroll) window.scrollTo(0, 0);
  window.dispatchEvent(new Event(NAV_EVENT));
}

/**
 * Matches a path against a pattern with :params ("/p/:slug"). Returns the
 * decoded params, or null.
 */
export function match(pattern: string, pathname: string): Record<string, string> | null {
  const want = pattern.split("/").filter(Boolean);
  const got = pathname.split("/").filter(Boolean);
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(":")) {
      try {
        params[want[i].slice(1)] = decodeURIComponent(got[i]);
      } catch {
        return null;
      }
    } else if (want[i] !== got[i]) {
      return null;
    }
  }
  return params;
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { to: string; replace?: boolean; keepScroll?: boolean };

/** An <a href> that navigates within the shop without a reload; modified clicks open as usual. */
export function Link({ to, replace, keepScroll, onClick, ...rest }: LinkProps) {
  function click(e: MouseEvent<HTMLAnchorElement>) {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || rest.target) return;
    e.preventDefault();
    navigate(to, { replace, keepScroll });
  }
  return <a href={to} onClick={click} {...rest} />;
}
