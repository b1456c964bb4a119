-- Tasks still running or cancelling, found at startup without reading the whole task history.
CREATE INDEX move_tasks_by_status ON move_tasks (status, id);
