-- The warm pool (issue #16): a template's prewarm count, and unowned projects kept running for
-- POST /projects to claim; poolKey names the template content an instance was made from.
-- AlterTable
ALTER TABLE "Project" ADD COLUMN     "poolKey" TEXT,
ALTER COLUMN "ownerId" DROP NOT NULL;

-- AlterTable
ALTER TABLE "Template" ADD COLUMN     "prewarm" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "Project_templateId_poolKey_idx" ON "Project"("templateId", "poolKey");
