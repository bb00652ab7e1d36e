// Composition across features, in the app layer: the project page's Files tab holds the files
// feature's browser and editor, with the project's preview under it (a save shows there).
import { FilesPanel } from "../../features/files/components/files-panel";
import { PreviewFrame } from "../../features/projects/components/preview-frame";
import { ProjectWithProduction as ProjectPage } from "./project";

export function ProjectFilesRoute() {
  return (
    <ProjectPage tab="files">
      {(p) => (
        <>
          <FilesPanel projectId={p.id} />
          {p.status === "running" && p.urls.preview ? <PreviewFrame url={p.urls.preview} projectName={p.name} /> : null}
        </>
      )}
    </ProjectPage>
  );
}
