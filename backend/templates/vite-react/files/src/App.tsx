import { useState } from "react";
import { projectName } from "./project";

export function App() {
  const [count, setCount] = useState(0);
  return (
    <main className="page">
      <section className="card">
        <p className="badge">Vite + React 19</p>
        <h1>Hello from {projectName()}</h1>
        <p className="lead">
          Edit <code>src/App.tsx</code> and save: this page updates in place, your counter keeps its value.
        </p>
        <button type="button" className="counter" onClick={() => setCount((c) => c + 1)}>
          Count is {count}
        </button>
        <ul className="links">
          <li>
            <a href="https://vite.dev/guide/" target="_blank" rel="noreferrer">
              Vite guide
            </a>
          </li>
          <li>
            <a href="https://react.dev/learn" target="_blank" rel="noreferrer">
              Learn React
            </a>
          </li>
        </ul>
      </section>
    </main>
  );
}
