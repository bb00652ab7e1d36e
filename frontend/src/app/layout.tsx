import { NavLink, Outlet } from "react-router";
import { useMe } from "../lib/auth";

export function Layout() {
  const me = useMe();
  return (
    <>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="topbar">
        <NavLink to="/projects" className="brand">
          <span aria-hidden="true">◆</span> DevSanctum
        </NavLink>
        <nav aria-label="Main">
          <ul>
            <li>
              <NavLink to="/projects" end>
                Projects
              </NavLink>
            </li>
            <li>
              <NavLink to="/templates">Templates</NavLink>
            </li>
            <li>
              <NavLink to="/tokens">API tokens</NavLink>
            </li>
            <li>
              <NavLink to="/settings/agent">Agent</NavLink>
            </li>
            <li>
              <NavLink to="/audit">Audit</NavLink>
            </li>
            <li>
              <NavLink to="/account" aria-label={`Account (${me.data?.email ?? ""})`}>
                {me.data?.avatarUrl ? <img src={me.data.avatarUrl} alt="" className="avatar-small" /> : null}
                <span className="nav-account">{me.data?.name ?? "Account"}</span>
              </NavLink>
            </li>
          </ul>
        </nav>
      </header>
      <main id="main" className="main">
        <Outlet />
      </main>
    </>
  );
}
