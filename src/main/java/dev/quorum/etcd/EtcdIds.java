package dev.quorum.etcd;

/** etcd IDs are unsigned 64-bit numbers, shown in hexadecimal as etcdctl does. */
public final class EtcdIds {

  private EtcdIds() {}

  public static String toHex(long id) {
    return Long.toHexString(id);
  }
}
