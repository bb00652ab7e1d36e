-- Every committed change to a project's rows is announced on one channel, so each control-plane
-- process (one LISTEN connection, backend/src/adapters/persistence/pg-change-feed.ts) learns of
-- writes made by any replica without polling. Payload: "<table>:<project id>" ("Template:" for
-- templates). PostgreSQL delivers at commit and folds identical payloads of one transaction.
CREATE OR REPLACE FUNCTION devsanctum_notify_change() RETURNS trigger AS $$
DECLARE
  row_data record;
  pid text;
BEGIN
  IF TG_OP = 'DELETE' THEN row_data := OLD; ELSE row_data := NEW; END IF;
  IF TG_TABLE_NAME = 'Project' THEN
    pid := row_data.id::text;
  ELSIF TG_TABLE_NAME = 'Template' THEN
    pid := '';
  ELSE
    pid := row_data."projectId"::text;
  END IF;
  IF pid IS NOT NULL THEN
    PERFORM pg_notify('devsanctum_changes', TG_TABLE_NAME || ':' || pid);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['Project', 'ServiceInstance', 'Route', 'Operation', 'ProjectAgent', 'Deployment', 'Template']
  LOOP
    EXECUTE format(
      'CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION devsanctum_notify_change()',
      t || '_notify_change', t);
  END LOOP;
END $$;
