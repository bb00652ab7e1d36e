-- AlterTable
ALTER TABLE "Project" ADD COLUMN     "idleTimeoutSeconds" INTEGER,
ADD COLUMN     "productionIdle" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "sleptAt" TIMESTAMP(3);
