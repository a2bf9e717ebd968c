DROP TABLE events;
DROP TABLE jobs;
