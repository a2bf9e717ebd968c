DROP TABLE tags;
DROP TABLE sections;
