// Who is signed in. The session is an HttpOnly cookie the API sets at sign-in;
// the page learns who it belongs to from GET /api/v1/me. A 401 while someone
// was signed in means the session ended: the shopper is told, not left with
// a page that silently fails.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { CSRF_COOKIE, api, call, onUnauthenticated, readCookie } from "../api/client";
import type { User } from "../api/types";

export interface Session {
  /** undefined while the first check runs; null for a guest. */
  user: User | null | undefined;
  /** The session ended by itself (expired, signed out elsewhere). */
  expired: boolean;
  signIn(email: string, password: string, totp?: string): Promise<User>;
  signOut(): Promise<void>;
  verifyEmail(token: string): Promise<User>;
  setUser(u: User): void;
  dismissExpired(): void;
}

const Ctx = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(Ctx);
  if (!s) throw new Error("useSession outside SessionProvider");
  return s;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUserState] = useState<User | null | undefined>(undefined);
  const [expired, setExpired] = useState(false);
  const userRef = useRef(user);
  userRef.current = user;

  useEffect(() => {
    let live = true;
    // The readable csrf_token cookie lives exactly as long as the session
    // cookie: without it there is no session to ask about.
    if (!readCookie(CSRF_COOKIE)) setUserState(null);
    else call(api.GET("/api/v1/me"))
      .then((u) => live && setUserState(u))
      .catch(() => live && setUserState(null));
    const off = onUnauthenticated(() => {
      if (userRef.current) {
        setUserState(null);
        setExpired(true);
      }
    });
    return () => {
      live = false;
      off();
    };
  }, []);

  const signIn = useCallback(async (email: string, password: string, totp?: string) => {
    const s = await call(api.POST("/api/v1/auth/signin", { body: { email, password, session: "cookie", ...(totp ? { totp } : {}) } }));
    setExpired(false);
    setUserState(s.user);
    return s.user;
  }, []);

  const verifyEmail = useCallback(async (token: string) => {
    const s = await call(api.POST("/api/v1/auth/verify-email", { body: { token, session: "cookie" } }));
    setExpired(false);
    setUserState(s.user);
    return s.user;
  }, []);

  const signOut = useCallback(async () => {
    try {
      await call(api.POST("/api/v1/auth/signout"));
    } catch {
      // Signed out already, or offline: forget the session here either way.
    }
    setUserState(null);
  }, []);

  const value = useMemo<Session>(
    () => ({ user, expired, signIn, signOut, verifyEmail, setUser: setUserState, dismissExpired: () => setExpired(false) }),
    [user, expired, signIn, signOut, verifyEmail],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}
