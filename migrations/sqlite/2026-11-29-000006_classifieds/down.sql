DROP TABLE events_fts;
DROP TABLE events;
DROP TABLE jobs_fts;
DROP TABLE jobs;
