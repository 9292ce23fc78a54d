-- Retention: when an ended execution's journal rows were pruned (null while they are all there).
ALTER TABLE execution_summary ADD COLUMN journal_pruned_at TIMESTAMP WITH TIME ZONE;
CREATE INDEX execution_summary_completed_idx ON execution_summary (completed_at);
