{
  "targets": [
    {
      "target_name": "micromegas_tsc",
      "sources": ["native/tsc.c"],
      "cflags": ["-O2"]
    }
  ]
}
