//! Articles: the newsroom's content, its workflow, revisions, search and public author profiles (issue 4).
