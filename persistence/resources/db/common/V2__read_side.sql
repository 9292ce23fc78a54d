-- The read side: one row per execution, kept by the summary projection, so that list and filter
-- queries never wake an execution; and finished executions counted per job and status.
CREATE TABLE execution_summary (
  execution_id VARCHAR(64) PRIMARY KEY,
  job VARCHAR(100) NOT NULL,
  status VARCHAR(16) NOT NULL,
  current_step VARCHAR(100),
  step_count INTEGER NOT NULL,
  created_by VARCHAR(200),
  created_at TIMESTAMP WITH TIME ZONE NOT NULL,
  start_at TIMESTAMP WITH TIME ZONE,
  started_at TIMESTAMP WITH TIME ZONE,
  completed_at TIMESTAMP WITH TIME ZONE,
  cancel_mode VARCHAR(16),
  cancel_reason VARCHAR(1000),
  cancel_by VARCHAR(200),
  cancel_at TIMESTAMP WITH TIME ZONE,
  error VARCHAR(2000),
  retry_of VARCHAR(64),
  retried_by VARCHAR(64),
  last_seq BIGINT NOT NULL
);

-- newest first, with the id as tie-breaker: the order of keyset pagination
CREATE INDEX execution_summary_created_idx ON execution_summary (created_at DESC, execution_id DESC);
CREATE INDEX execution_summary_status_idx ON execution_summary (status, created_at DESC, execution_id DESC);
CREATE INDEX execution_summary_job_idx ON execution_summary (job, created_at DESC, execution_id DESC);

CREATE TABLE job_outcome_count (
  job VARCHAR(100) NOT NULL,
  status VARCHAR(16) NOT NULL,
  executions BIGINT NOT NULL,
  PRIMARY KEY (job, status)
);
