import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from "react";

type FieldProps = InputHTMLAttributes<HTMLInputElement> & { label: string; error?: string; hint?: ReactNode };

/** A labelled input with its hint and error tied to it for screen readers. */
export function Field({ label, error, hint, id, className, ...input }: FieldProps) {
  const auto = useId();
  const fid = id ?? auto;
  const describedBy = [hint ? fid + "-hint" : "", error ? fid + "-err" : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div className={"field " + (className ?? "")}>
      <label htmlFor={fid}>
        {label}
        {input.required ? "" : <span className="optional"> (optional)</span>}
      </label>
      <input id={fid} aria-invalid={!!error} aria-describedby={describedBy} {...input} />
      {hint && (
        <p id={fid + "-hint"} className="hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={fid + "-err"} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

type SelectProps = SelectHTMLAttributes<HTMLSelectElement> & { label: string; error?: string; children: ReactNode };

export function SelectField({ label, error, id, children, className, ...select }: SelectProps) {
  const auto = useId();
  const fid = id ?? auto;
  return (
    <div className={"field " + (className ?? "")}>
      <label htmlFor={fid}>{label}</label>
      <select id={fid} aria-invalid={!!error} aria-describedby={error ? fid + "-err" : undefined} {...select}>
        {children}
      </select>
      {error && (
        <p id={fid + "-err"} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}
