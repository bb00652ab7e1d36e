-- AlterTable
ALTER TABLE "Project" ADD COLUMN     "qaGates" JSONB;

-- AlterTable
ALTER TABLE "Task" ADD COLUMN     "agentActivityAt" TIMESTAMP(3),
ADD COLUMN     "agentError" TEXT,
ADD COLUMN     "agentMessageId" TEXT,
ADD COLUMN     "agentPrompt" TEXT,
ADD COLUMN     "agentSentAt" TIMESTAMP(3),
ADD COLUMN     "agentState" TEXT NOT NULL DEFAULT 'idle',
ADD COLUMN     "emptyDiff" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "previewContainerId" TEXT,
ADD COLUMN     "previewTarget" TEXT;

-- AlterTable
ALTER TABLE "Template" ADD COLUMN     "qaGates" JSONB;

-- Tasks announce their changes like the other project rows (20261202130903_change_notify): the
-- events stream's task.changed and the task preview hosts follow writes made by any replica.
CREATE TRIGGER "Task_notify_change" AFTER INSERT OR UPDATE OR DELETE ON "Task"
  FOR EACH ROW EXECUTE FUNCTION devsanctum_notify_change();
