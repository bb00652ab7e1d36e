-- AlterTable
ALTER TABLE "Project" ADD COLUMN     "seededAt" TIMESTAMP(3);
