// Composition across features happens here, in the app layer: templates feed the create form.
import { useQuery } from "@tanstack/react-query";
import { ErrorMessage } from "../../components/error-message";
import { PageTitle } from "../../components/page-title";
import { Loading } from "../../components/spinner";
import { CreateProjectForm } from "../../features/projects/components/create-project-form";
import { templatesQuery } from "../../features/templates/api/get-templates";

export function NewProjectRoute() {
  const templates = useQuery(templatesQuery());
  return (
    <>
      <PageTitle>New project</PageTitle>
      {templates.isPending ? <Loading label="Loading templates…" /> : null}
      <ErrorMessage error={templates.error} title="Could not load templates." />
      {templates.data ? <CreateProjectForm templates={templates.data} /> : null}
    </>
  );
}
