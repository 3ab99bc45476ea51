import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { api, call } from "../api/client";
import type { Suggestion } from "../api/types";
import { navigate, useLocation } from "../router";

/** Where a suggestion leads. */
export function suggestionHref(s: Suggestion): string {
  switch (s.kind) {
    case "product":
      return `/p/${s.value}`;
    case "category":
      return `/c/${s.value}`;
    case "brand":
      return `/search?brand=${encodeURIComponent(s.value)}`;
  }
}

const kindLabel: Record<Suggestion["kind"], string> = { product: "Product", category: "Category", brand: "Brand" };

/**
 * The search field with instant suggestions (an ARIA combobox): suggestions
 * are asked for 150 ms after the last key, arrows move through them, Enter
 * opens the chosen one or searches for the text.
 */
export function SearchBox() {
  const loc = useLocation();
  const [text, setText] = useState(loc.pathname === "/search" ? (loc.query.get("q") ?? "") : "");
  const [items, setItems] = useState<Suggestion[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const id = useId();
  const boxRef = useRef<HTMLFormElement>(null);

  useEffect(() => {
    if (loc.pathname === "/search") setText(loc.query.get("q") ?? "");
  }, [loc.pathname, loc.query]);

  useEffect(() => {
    const q = text.trim();
    if (q.length < 2) {
      setItems([]);
      return;
    }
    const ctl = new AbortController();
    const t = setTimeout(() => {
      call(api.GET("/api/v1/search/suggest", { params: { query: { q, limit: 8 } }, signal: ctl.signal }))
        .then((r) => {
          setItems(r.items ?? []);
          setActive(-1);
        })
        .catch(() => setItems([])); // suggestions are a nicety: a failure shows none
    }, 150);
    return () => {
      clearTimeout(t);
      ctl.abort();
    };
  }, [text]);

  function go(to: string) {
    setOpen(false);
    setActive(-1);
    (document.activeElement as HTMLElement | null)?.blur();
    navigate(to);
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    if (active >= 0 && items[active]) return go(suggestionHref(items[active]));
    const q = text.trim();
    if (q) go(`/search?q=${encodeURIComponent(q)}`);
  }

  function key(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === "ArrowDown" && items.length) {
      e.preventDefault();
      setOpen(true);
      setActive((a) => (a + 1) % items.length);
    } else if (e.key === "ArrowUp" && items.length) {
      e.preventDefault();
      setActive((a) => (a <= 0 ? items.length - 1 : a - 1));
    } else if (e.key === "Escape") {
      setOpen(false);
      setActive(-1);
    }
  }

  const shown = open && items.length > 0;
  return (
    <form
      ref={boxRef}
      role="search"
      className="search"
      onSubmit={submit}
      onBlur={(e) => {
        if (!boxRef.current?.contains(e.relatedTarget as Node)) setOpen(false);
      }}
    >
      <label htmlFor={id + "-q"} className="visually-hidden">
        Search for products, brands and more
      </label>
      <input
        id={id + "-q"}
        type="search"
        name="q"
        placeholder="Search kurtas, sarees…"
        autoComplete="off"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onKeyDown={key}
        role="combobox"
        aria-expanded={shown}
        aria-controls={id + "-list"}
        aria-autocomplete="list"
        aria-activedescendant={shown && active >= 0 ? `${id}-opt-${active}` : undefined}
      />
      <button type="submit" className="search-btn" aria-label="Search">
        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
          <circle cx="10.5" cy="10.5" r="6.5" fill="none" stroke="currentColor" strokeWidth="2" />
          <path d="M15.5 15.5 21 21" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
        </svg>
      </button>
      <ul id={id + "-list"} role="listbox" className="suggestions" hidden={!shown} aria-label="Suggestions">
        {items.map((s, i) => (
          <li
            key={s.kind + s.value}
            id={`${id}-opt-${i}`}
            role="option"
            aria-selected={i === active}
            className={i === active ? "active" : ""}
            onMouseDown={(e) => {
              e.preventDefault();
              go(suggestionHref(s));
            }}
          >
            <span className="sugg-text">{s.text}</span>
            <span className="sugg-kind">{kindLabel[s.kind]}</span>
          </li>
        ))}
      </ul>
    </form>
  );
}
