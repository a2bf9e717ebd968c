DROP TABLE weather;
