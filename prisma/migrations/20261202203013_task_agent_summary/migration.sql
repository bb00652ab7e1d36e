-- AlterTable
ALTER TABLE "Task" ADD COLUMN     "agentSummary" TEXT;
