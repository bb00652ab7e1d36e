import { useEffect, useRef } from "react";

// Sets the document title and moves focus to the page heading on navigation, so screen-reader
// and keyboard users land at the start of the new page.
export function PageTitle({ children, actions }: { children: string; actions?: React.ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${children} · DevSanctum`;
  }, [children]);
  useEffect(() => {
    ref.current?.focus({ preventScroll: true });
  }, []);
  return (
    <div className="page-header">
      <h1 ref={ref} tabIndex={-1}>
        {children}
      </h1>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </div>
  );
}
