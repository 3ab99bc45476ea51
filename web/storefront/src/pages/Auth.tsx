import { useEffect, useRef, useState, type FormEvent } from "react";
import { ApiError, api, call, describeError, fieldError } from "../api/client";
import { Notice, Spinner } from "../components/ErrorState";
import { Field } from "../components/Field";
import { Link, navigate, useLocation } from "../router";
import { useSession } from "../state/session";

/** Where to go after signing in: a path in the shop from ?next=, else the account. */
function nextPath(q: URLSearchParams, fallback = "/account"): string {
  const n = q.get("next") ?? "";
  return n.startsWith("/") && !n.startsWith("//") ? n : fallback;
}

function SignIn() {
  const s = useSession();
  const loc = useLocation();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [totp, setTotp] = useState("");
  const [needTotp, setNeedTotp] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const next = nextPath(loc.query);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await s.signIn(email.trim(), password, needTotp ? totp.trim() : undefined);
      navigate(next, { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.code === "totp_required") {
        setNeedTotp(true);
        setError(null);
      } else setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <div className="auth">
      <h1>Sign in</h1>
      <p className="muted">Your bag comes with you when you sign in.</p>
      <form onSubmit={submit} noValidate={false}>
        {error && <Notice>{error}</Notice>}
        <Field label="Email" type="email" name="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <Field label="Password" type="password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        {needTotp && (
          <Field label="Authenticator code" name="totp" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" required value={totp} onChange={(e) => setTotp(e.target.value)} hint="The 6-digit code from your authenticator app." autoFocus />
        )}
        <button type="submit" className="btn btn-big" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
      <p>
        <Link to="/reset-password">Forgotten your password?</Link>
      </p>
      <p>
        New to Bazaar? <Link to={`/signup${next !== "/account" ? "?next=" + encodeURIComponent(next) : ""}`}>Create an account</Link>
      </p>
    </div>
  );
}

function SignUp() {
  const [form, setForm] = useState({ name: "", email: "", password: "", phone: "" });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState(false);
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const phone = form.phone.replace(/[\s-]/g, "");
      await call(
        api.POST("/api/v1/auth/signup", {
          body: { name: form.name.trim(), email: form.email.trim(), password: form.password, ...(phone ? { phone: phone.startsWith("+") ? phone : "+91" + phone } : {}) },
        }),
      );
      setSent(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  if (sent) {
    return (
      <div className="auth">
        <h1>Check your email</h1>
        <Notice kind="success">
          We've sent a link to <strong>{form.email}</strong>. Open it to confirm your address and sign in. Your bag will be waiting.
        </Notice>
        <p className="muted small">
          Trying the demo shop? Its mail is not sent: read it in the <a href="/api/v1/dev/mail">development mailbox</a>.
        </p>
      </div>
    );
  }
  return (
    <div className="auth">
      <h1>Create an account</h1>
      <form onSubmit={submit}>
        {error ? <Notice>{describeError(error)}</Notice> : null}
        <Field label="Your name" name="name" autoComplete="name" required value={form.name} onChange={set("name")} error={fieldError(error, "name")} />
        <Field label="Email" type="email" name="email" autoComplete="email" required value={form.email} onChange={set("email")} error={fieldError(error, "email")} />
        <Field
          label="Password"
          type="password"
          name="password"
          autoComplete="new-password"
          required
          minLength={8}
          value={form.password}
          onChange={set("password")}
          hint="At least 8 characters. A short phrase is easy to remember and hard to guess."
          error={fieldError(error, "password")}
        />
        <Field label="Mobile number" type="tel" name="phone" autoComplete="tel" inputMode="tel" value={form.phone} onChange={set("phone")} hint="For delivery updates, e.g. 98123 45678." error={fieldError(error, "phone")} />
        <button type="submit" className="btn btn-big" disabled={busy}>
          {busy ? "Creating your account…" : "Create account"}
        </button>
      </form>
      <p>
        Already have an account? <Link to="/signin">Sign in</Link>
      </p>
    </div>
  );
}

function VerifyEmail() {
  const s = useSession();
  const loc = useLocation();
  const token = loc.query.get("token") ?? "";
  const [state, setState] = useState<"working" | "done" | "failed">("working");
  const [error, setError] = useState<unknown>(null);
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return; // a link works once: never send it twice
    started.current = true;
    if (!token) {
      setState("failed");
      return;
    }
    s.verifyEmail(token).then(
      () => setState("done"),
      (e) => {
        setError(e);
        setState("failed");
      },
    );
  }, [token, s]);
  if (state === "working") return <Spinner label="Confirming your email address…" />;
  if (state === "failed") {
    return (
      <div className="auth">
        <h1>That link didn't work</h1>
        <Notice>{error ? describeError(error) : "The link is incomplete. Open it again from your email."}</Notice>
        <p>
          Sign in with your email and password: if your address is not confirmed yet, we'll send you a new link. <Link to="/signin">Sign in</Link>
        </p>
      </div>
    );
  }
  return (
    <div className="auth">
      <h1>Welcome to Bazaar{s.user ? `, ${s.user.name.split(" ")[0]}` : ""}!</h1>
      <Notice kind="success">Your email address is confirmed and you're signed in.</Notice>
      <p className="actions">
        <Link to="/cart" className="btn">
          Go to your bag
        </Link>
        <Link to="/" className="btn btn-ghost">
          Continue shopping
        </Link>
      </p>
    </div>
  );
}

function ResetPassword() {
  const loc = useLocation();
  const token = loc.query.get("token") ?? "";
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (token) await call(api.POST("/api/v1/auth/password-reset/confirm", { body: { token, password } }));
      else await call(api.POST("/api/v1/auth/password-reset", { body: { email: email.trim() } }));
      setDone(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  if (done) {
    return (
      <div className="auth">
        <h1>{token ? "Password changed" : "Check your email"}</h1>
        <Notice kind="success">{token ? "Your new password is set. Sign in with it." : `If ${email} has an account, a link to choose a new password is on its way.`}</Notice>
        {token && (
          <p>
            <Link to="/signin" className="btn">
              Sign in
            </Link>
          </p>
        )}
      </div>
    );
  }
  return (
    <div className="auth">
      <h1>{token ? "Choose a new password" : "Reset your password"}</h1>
      <form onSubmit={submit}>
        {error ? <Notice>{describeError(error)}</Notice> : null}
        {token ? (
          <Field label="New password" type="password" name="password" autoComplete="new-password" required minLength={8} value={password} onChange={(e) => setPassword(e.target.value)} hint="At least 8 characters." />
        ) : (
          <Field label="Email" type="email" name="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        )}
        <button type="submit" className="btn btn-big" disabled={busy}>
          {token ? "Set password" : "Send me a link"}
        </button>
      </form>
    </div>
  );
}

export default function Auth() {
  const { pathname } = useLocation();
  const s = useSession();
  const loc = useLocation();
  useEffect(() => {
    document.title = { "/signin": "Sign in", "/signup": "Create an account", "/verify-email": "Confirm your email", "/reset-password": "Reset your password" }[pathname] + " · Bazaar";
  }, [pathname]);
  // Someone already signed in has nothing to do on the sign-in pages.
  useEffect(() => {
    if (s.user && (pathname === "/signin" || pathname === "/signup")) navigate(nextPath(loc.query), { replace: true });
  }, [s.user, pathname, loc.query]);
  switch (pathname) {
    case "/signup":
      return <SignUp />;
    case "/verify-email":
      return <VerifyEmail />;
    case "/reset-password":
      return <ResetPassword />;
    default:
      return <SignIn />;
  }
}
