import { useQuery } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router";
import { ErrorMessage } from "../../../components/error-message";
import { PageTitle } from "../../../components/page-title";
import { Loading } from "../../../components/spinner";
import { myAgentSettingsQuery, useSaveMyAgentSettings } from "../api/agent-settings";
import { AgentSettingsForm } from "./agent-settings-form";

/** Your default model settings: every project of yours without its own uses them. */
export function AgentSettingsPage() {
  const settings = useQuery(myAgentSettingsQuery());
  const save = useSaveMyAgentSettings();
  const [search] = useSearchParams();
  const back = search.get("return");
  return (
    <>
      <PageTitle>Agent settings</PageTitle>
      <p>
        The model your projects' agents use to build and change them. Any OpenAI-compatible endpoint works (a local
        server, a gateway), as do OpenRouter, Anthropic and OpenAI.
      </p>
      {settings.isPending ? <Loading label="Loading your settings…" /> : null}
      <ErrorMessage error={settings.error} title="Could not load your settings." />
      {settings.isSuccess ? (
        <section className="panel" aria-label="Model settings">
          <AgentSettingsForm
            // A new form once saved: the key typed into it is gone from the page.
            key={settings.data?.updatedAt ?? "none"}
            value={settings.data}
            pending={save.isPending}
            error={save.error}
            saved={save.isSuccess}
            onSave={(input) => save.mutate(input)}
            onClear={() => save.mutate(null)}
          />
        </section>
      ) : null}
      {back?.startsWith("/") && save.isSuccess ? (
        <Link to={back} className="button">
          Back to the project
        </Link>
      ) : null}
    </>
  );
}
