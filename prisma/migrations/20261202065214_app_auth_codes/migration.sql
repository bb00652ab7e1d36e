-- CreateTable
CREATE TABLE "UsedAppAuthCode" (
    "jti" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "UsedAppAuthCode_pkey" PRIMARY KEY ("jti")
);

-- CreateIndex
CREATE INDEX "UsedAppAuthCode_expiresAt_idx" ON "UsedAppAuthCode"("expiresAt");
