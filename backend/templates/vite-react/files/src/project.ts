// The project's name: VITE_PROJECT_NAME when set (vite.config.ts), else the <slug> of a
// <slug>--preview.<domain> host.
export function projectName(hostname = window.location.hostname): string {
  const fromEnv = import.meta.env.VITE_PROJECT_NAME as string | undefined;
  if (fromEnv) return fromEnv;
  const slug = hostname.split("--")[0]?.split(".")[0];
  return slug && slug !== "localhost" && !/^[\d.]+$/.test(hostname) ? slug : "your new project";
}
