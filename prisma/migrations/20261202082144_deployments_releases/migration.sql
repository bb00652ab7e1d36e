/*
  Warnings:

  - You are about to drop the column `buildLog` on the `Deployment` table. All the data in the column will be lost.
  - You are about to drop the column `live` on the `Deployment` table. All the data in the column will be lost.
  - Added the required column `updatedAt` to the `Deployment` table without a default value. This is not possible if the table is not empty.

*/
-- AlterTable
ALTER TABLE "Deployment" DROP COLUMN "buildLog",
DROP COLUMN "live",
ADD COLUMN     "buildContainerId" TEXT,
ADD COLUMN     "buildFinishedAt" TIMESTAMP(3),
ADD COLUMN     "buildStartedAt" TIMESTAMP(3),
ADD COLUMN     "cancelRequestedAt" TIMESTAMP(3),
ADD COLUMN     "endpoint" TEXT,
ADD COLUMN     "error" TEXT,
ADD COLUMN     "kind" TEXT NOT NULL DEFAULT 'build',
ADD COLUMN     "liveAt" TIMESTAMP(3),
ADD COLUMN     "log" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "operationId" UUID,
ADD COLUMN     "requestedById" UUID,
ADD COLUMN     "rollbackOf" INTEGER,
ADD COLUMN     "sizeBytes" BIGINT,
ADD COLUMN     "snapshotAt" TIMESTAMP(3),
ADD COLUMN     "snapshotBytes" BIGINT,
ADD COLUMN     "supersededAt" TIMESTAMP(3),
ADD COLUMN     "updatedAt" TIMESTAMP(3) NOT NULL,
ADD COLUMN     "warmUntil" TIMESTAMP(3),
ALTER COLUMN "status" SET DEFAULT 'queued';

-- CreateIndex
CREATE INDEX "Deployment_status_idx" ON "Deployment"("status");

-- AddForeignKey
ALTER TABLE "Deployment" ADD CONSTRAINT "Deployment_requestedById_fkey" FOREIGN KEY ("requestedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
