# mysql plugin: not written yet (issue 4).
