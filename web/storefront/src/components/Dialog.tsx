import { useEffect, useRef, type ReactNode } from "react";

/**
 * A modal panel (the cart drawer, the filters sheet): it takes focus when it
 * opens, keeps Tab inside, closes on Escape or a click outside, and gives
 * focus back to where it was.
 */
export function Dialog({ open, onClose, label, side = "right", children }: { open: boolean; onClose: () => void; label: string; side?: "right" | "left" | "center"; children: ReactNode }) {
  const panel = useRef<HTMLDivElement>(null);
  const closeRef = useRef(onClose);
  closeRef.current = onClose;
  useEffect(() => {
    if (!open) return;
    const before = document.activeElement as HTMLElement | null;
    const el = panel.current;
    const first = el?.querySelector<HTMLElement>("[data-autofocus], button, a[href], input, select");
    (first ?? el)?.focus();
    function key(e: KeyboardEvent) {
      if (e.key === "Escape") {
        e.preventDefault();
        closeRef.current();
      } else if (e.key === "Tab" && el) {
        const items = [...el.querySelectorAll<HTMLElement>("button:not([disabled]), a[href], input:not([disabled]), select:not([disabled]), textarea")];
        if (!items.length) return;
        const [a, z] = [items[0], items[items.length - 1]];
        if (e.shiftKey && document.activeElement === a) {
          e.preventDefault();
          z.focus();
        } else if (!e.shiftKey && document.activeElement === z) {
          e.preventDefault();
          a.focus();
        }
      }
    }
    document.addEventListener("keydown", key);
    document.body.classList.add("no-scroll");
    return () => {
      document.removeEventListener("keydown", key);
      document.body.classList.remove("no-scroll");
      before?.focus?.();
    };
  }, [open]);
  if (!open) return null;
  return (
    <div className="dialog-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div ref={panel} className={`dialog dialog-${side}`} role="dialog" aria-modal="true" aria-label={label} tabIndex={-1}>
        {children}
      </div>
    </div>
  );
}
