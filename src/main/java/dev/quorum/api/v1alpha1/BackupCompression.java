package dev.quorum.api.v1alpha1;

/** How a snapshot is stored. docs/benchmarks.md has what each costs and saves. */
public enum BackupCompression {
  /** As etcd sends it: the fastest backup, and a restore needs no tool beyond etcdutl. */
  None,
  /** gzip at its fastest level; the key ends in .db.gz and the SHA-256 is the compressed object's. */
  Gzip
}
