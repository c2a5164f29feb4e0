# redis plugin: not written yet (issue 4).
