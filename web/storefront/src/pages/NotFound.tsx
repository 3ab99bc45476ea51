import { useEffect } from "react";
import { Link } from "../router";

export default function NotFound() {
  useEffect(() => {
    document.title = "Page not found · Bazaar";
  }, []);
  return (
    <div className="state">
      <h1>We couldn't find that page</h1>
      <p>The link may be old, or the page has moved.</p>
      <p className="actions">
        <Link to="/" className="btn">
          Go to the home page
        </Link>
        <Link to="/search" className="btn btn-ghost">
          Search the shop
        </Link>
      </p>
    </div>
  );
}
