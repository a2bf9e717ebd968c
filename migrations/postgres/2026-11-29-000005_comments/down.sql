DROP TABLE commenter_standing;
DROP TABLE comment_flags;
DROP TABLE comments;
