package dev.quorum.noderecovery;

/** A refusal or a failure of a node-local command, said to the user; nothing was changed unless the message says so. */
final class Stop extends Exception {

  final int exitCode;

  Stop(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }
}
