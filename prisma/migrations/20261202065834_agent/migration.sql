-- CreateTable
CREATE TABLE "AgentSettings" (
    "id" UUID NOT NULL,
    "userId" UUID,
    "projectId" UUID,
    "provider" TEXT NOT NULL,
    "baseUrl" TEXT,
    "model" TEXT NOT NULL,
    "apiKeySealed" TEXT NOT NULL,
    "apiKeyLast4" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AgentSettings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProjectAgent" (
    "projectId" UUID NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'idle',
    "sessionId" TEXT,
    "message" TEXT,
    "lastEventAt" TIMESTAMP(3),
    "setup" TEXT NOT NULL DEFAULT 'containers',
    "setupMessage" TEXT,
    "initialPromptId" UUID,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ProjectAgent_pkey" PRIMARY KEY ("projectId")
);

-- CreateTable
CREATE TABLE "AgentPrompt" (
    "id" UUID NOT NULL,
    "projectId" UUID NOT NULL,
    "sessionId" TEXT,
    "text" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "messageId" TEXT,
    "userId" UUID,
    "error" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "AgentPrompt_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "AgentSettings_userId_key" ON "AgentSettings"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "AgentSettings_projectId_key" ON "AgentSettings"("projectId");

-- CreateIndex
CREATE UNIQUE INDEX "ProjectAgent_initialPromptId_key" ON "ProjectAgent"("initialPromptId");

-- CreateIndex
CREATE UNIQUE INDEX "AgentPrompt_messageId_key" ON "AgentPrompt"("messageId");

-- CreateIndex
CREATE INDEX "AgentPrompt_projectId_status_idx" ON "AgentPrompt"("projectId", "status");

-- CreateIndex
CREATE INDEX "AgentPrompt_status_idx" ON "AgentPrompt"("status");

-- AddForeignKey
ALTER TABLE "AgentSettings" ADD CONSTRAINT "AgentSettings_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AgentSettings" ADD CONSTRAINT "AgentSettings_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProjectAgent" ADD CONSTRAINT "ProjectAgent_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AgentPrompt" ADD CONSTRAINT "AgentPrompt_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;
